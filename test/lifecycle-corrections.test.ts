import t from 'tap';
import { verifyMoney } from '../scripts/verify-bundle-money.mjs';
import { caller } from './support/api.js';
import { readEverything } from './support/money-history.js';
import { cast, CODES, launchProgramme, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * Issue 19, corrections (part B) over HTTP on both databases: a milestone's dates, a contract's
 * amount, a payment's bank reference (the registry releases the wrong one and claims the right one
 * in the same append), a refund after the project closed, and a disbursement's clawback and bank
 * reference; money only by a request and another person's approval.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

type Stored = { id: string; type: string; data: Record<string, unknown> };

for (const kind of kinds) {
  t.test(`${kind}: corrections are compensating events naming the original; money needs four eyes`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    const at = (iso: string) => clock.set(iso);
    const must = async (path: string, token: string, body: unknown) => {
      const res = await call('POST', path, { token, body });
      if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const events = async (stream: string): Promise<Stored[]> => (await system.store.readStream(stream)).map((e) => ({ id: e.id, type: e.type, data: e.data as Record<string, unknown> }));
    const projectState = async () => (await call('GET', '/v1/projects/k-a', { token: people.fay })).body.state as Record<string, Record<string, Record<string, unknown>>>;
    await launchProgramme(call, people, 'tz-k', 10, at);
    await projectInPromotion(call, people, 'tz-k', 'k-a', CODES.lead, at);
    const P = '/v1/projects/k-a';
    at('2019-10-10T02:00:00Z');
    await must(`${P}/grants/r1`, people.fay, {});
    await must('/v1/disbursements/r1-k-a/approval', people.gus, {});
    await must('/v1/disbursements/r1-k-a/payment', people.fay, { bankReference: 'K-R1-0001', paidOn: '2019-10-10' });
    await must(`${P}/contracts/c1/payments`, people.alice, { paymentId: 'pay1', amount: 200_000_000, bankReference: 'K-PAY-0001', paidOn: '2019-10-01' });
    await must(`${P}/contracts/c1/payments`, people.alice, { paymentId: 'pay2', amount: 150_000_000, bankReference: 'K-PAY-0002', paidOn: '2019-10-02' });

    await t.test('a milestone date: corrected by an officer, naming the task book, then the report', async (t) => {
      const bad = await call('POST', `${P}/milestones/m1/date-corrections`, { token: people.alice, body: { field: 'dueOn', date: '2021-01-01', reason: '录入错误' } });
      t.equal(bad.body.code, 'MILESTONE_OUTSIDE_CYCLE', 'a due date outside the cycle is refused');
      const same = await call('POST', `${P}/milestones/m1/date-corrections`, { token: people.alice, body: { field: 'dueOn', date: '2019-02-01', reason: '录入错误' } });
      t.equal(same.body.code, 'NOTHING_TO_CORRECT');
      const fay = await call('POST', `${P}/milestones/m1/date-corrections`, { token: people.fay, body: { field: 'dueOn', date: '2019-03-01', reason: '录入错误' } });
      t.equal(fay.status, 403, 'finance does not correct milestones');
      await must(`${P}/milestones/m1/date-corrections`, people.alice, { field: 'dueOn', date: '2019-03-01', reason: '任务书节点日期录入错误' });
      await must(`${P}/milestones/m1/date-corrections`, people.alice, { field: 'reportedOn', date: '2019-01-24', reason: '报告日期录入错误' });
      const all = await events('project-k-a');
      const [due, reported] = all.filter((e) => e.type === 'MilestoneDateCorrected');
      const taskBook = all.find((e) => e.type === 'TaskBookSigned')!;
      const report = all.find((e) => e.type === 'MilestoneReported')!;
      t.same(due!.data.corrects, { eventId: taskBook.id, type: 'TaskBookSigned' }, 'the due date names the task book');
      t.same([due!.data.previous, due!.data.date], ['2019-02-01', '2019-03-01'], 'side by side');
      t.same(reported!.data.corrects, { eventId: report.id, type: 'MilestoneReported' }, 'the report date names the report');
      t.ok(all.includes(taskBook), 'the original stays');
      const m1 = (await projectState()).milestones!.m1!;
      t.same([m1.dueOn, m1.reportedOn], ['2019-03-01', '2019-01-24']);
    });

    await t.test('a contract amount: requested by one, approved by another, applied at the approval', async (t) => {
      const below = await call('POST', `${P}/money-corrections`, { token: people.alice, body: { correctionId: 'ca-0', correction: { kind: 'contract_amount', contractId: 'c1', amount: 100_000_000 }, reason: '金额录入错误' } });
      t.equal(below.body.code, 'PAYMENT_EXCEEDS_CONTRACT', 'not below what is already paid');
      const requested = await call('POST', `${P}/money-corrections`, { token: people.fay, body: { correctionId: 'ca-1', correction: { kind: 'contract_amount', contractId: 'c1', amount: 4_000_000_000 }, reason: '金额录入错误' } });
      t.equal(requested.status, 201);
      t.equal((await projectState()).contracts!.c1!.amount, 5_000_000_000, 'the request changes nothing');
      const own = await call('POST', `${P}/money-corrections/ca-1/approval`, { token: people.fay, body: {} });
      t.same([own.status, own.body.code], [403, 'FOUR_EYES_VIOLATION'], 'the requester cannot approve');
      const officer = await call('POST', `${P}/money-corrections/ca-1/approval`, { token: people.alice, body: {} });
      t.equal(officer.status, 403, 'an officer does not approve money');
      await must(`${P}/money-corrections/ca-1/approval`, people.gus, { comment: '已核对合同原件' });
      t.equal((await projectState()).contracts!.c1!.amount, 4_000_000_000);
      const again = await call('POST', `${P}/money-corrections/ca-1/approval`, { token: people.gus, body: {} });
      t.equal(again.body.code, 'CORRECTION_NOT_PENDING');
      const all = await events('project-k-a');
      const approved = all.find((e) => e.type === 'MoneyCorrectionApproved')!;
      const registered = all.find((e) => e.type === 'ConversionContractRegistered')!;
      t.same(approved.data.corrects, { eventId: registered.id, type: 'ConversionContractRegistered' });
      t.same(approved.data.correction, { kind: 'contract_amount', contractId: 'c1', amount: 4_000_000_000, previousAmount: 5_000_000_000 });
      t.same([approved.data.requestedBy, approved.data.approvedBy], ['fay', 'gus']);
    });

    await t.test("a payment's bank reference: the registry releases the wrong one and claims the right one", async (t) => {
      const taken = await call('POST', `${P}/money-corrections`, { token: people.alice, body: { correctionId: 'br-0', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'K-PAY-0002' }, reason: '流水号录入错误' } });
      t.equal(taken.body.code, 'BANK_REFERENCE_ALREADY_USED', "another payment's reference of the project is refused at once");
      // The R1 disbursement holds K-R1-0001: only the registry knows (another stream), at the approval.
      await must(`${P}/money-corrections`, people.alice, { correctionId: 'br-1', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'k-r1-0001' }, reason: '流水号录入错误' });
      const before = await system.eventCount();
      const clash = await call('POST', `${P}/money-corrections/br-1/approval`, { token: people.fay, body: {} });
      t.same([clash.status, clash.body.code], [409, 'BANK_REFERENCE_ALREADY_USED'], 'a reference another payment holds is refused where the money moves');
      t.equal(await system.eventCount(), before, 'and nothing is written');
      await must(`${P}/money-corrections/br-1/rejection`, people.gus, { comment: '流水号有误' });
      await must(`${P}/money-corrections`, people.alice, { correctionId: 'br-2', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'K-PAY-0009' }, reason: '流水号录入错误' });
      const approved = await must(`${P}/money-corrections/br-2/approval`, people.fay, {});
      t.same((approved.steps as Array<{ stream: string }>).map((s) => s.stream), ['project-k-a', 'bank-reference-K-PAY-0001', 'bank-reference-K-PAY-0009'], 'one append over the project and both references');
      t.equal(((await projectState()).payments!.pay1!).bankReference, 'K-PAY-0009');
      const released = (await events('bank-reference-K-PAY-0001')).at(-1)!;
      t.equal(released.type, 'BankReferenceReleased');
      t.equal((released.data.corrects as { type: string }).type, 'ContractPaymentConfirmed');
      t.equal((await events('bank-reference-K-PAY-0009')).at(-1)!.type, 'BankReferenceClaimed');
      const reuse = await call('POST', `${P}/contracts/c1/payments`, { token: people.alice, body: { paymentId: 'pay3', amount: 100_000_000, bankReference: 'K-PAY-0009', paidOn: '2019-10-09' } });
      t.equal(reuse.body.code, 'BANK_REFERENCE_ALREADY_USED', 'the corrected reference is paid once');
      await must(`${P}/contracts/c1/payments`, people.alice, { paymentId: 'pay3', amount: 100_000_000, bankReference: 'K-PAY-0001', paidOn: '2019-10-09' });
      t.pass('the released reference is free for the payment it belongs to');
    });

    await t.test('after closing: a refund of a contract payment reassesses R2; a disbursement clawback; both four eyes', async (t) => {
      at('2019-10-20T02:00:00Z');
      await must(`${P}/acceptance-application`, people.alice, { appliedOn: '2019-10-20' });
      await must(`${P}/acceptance-conclusion`, people.ann, { result: 'passed', concludedOn: '2019-10-25' });
      await must(`${P}/closing`, people.alice, {});
      at('2019-11-05T02:00:00Z');
      const direct = await call('POST', `${P}/payments/pay2/reversal`, { token: people.alice, body: { reversedOn: '2019-11-01', reason: '退款' } });
      t.equal(direct.body.code, 'PROJECT_ENDED', 'a closed project takes no ordinary reversal');
      await must(`${P}/money-corrections`, people.alice, { correctionId: 'rf-1', correction: { kind: 'payment_refund', paymentId: 'pay2', reversedOn: '2019-11-01' }, reason: '买方因质量纠纷退款' });
      const self = await call('POST', `${P}/money-corrections/rf-1/approval`, { token: (await system.token('finance', 'alice')), body: {} });
      t.equal(self.body.code, 'FOUR_EYES_VIOLATION', 'the same person with another role is still the requester');
      const approved = await must(`${P}/money-corrections/rf-1/approval`, people.fay, {});
      const streams = (approved.steps as Array<{ stream: string }>).map((s) => s.stream);
      t.ok(streams.includes('project-k-a') && streams.some((s) => s.startsWith('subsidy-')), 'the project and the R2 ledger in one append');
      const state = await projectState();
      t.equal(state.payments!.pay2!.reversed, true);
      t.equal(state.payments!.pay2!.reversalAssessed, true, 'the R2 reassessment is recorded back on the closed project');
      t.equal((state as unknown as { status: string }).status, 'closed', 'the project stays closed');
      const types = (await events('project-k-a')).slice(-3).map((e) => e.type);
      t.same(types, ['MoneyCorrectionApproved', 'ContractPaymentReversed', 'SubsidyAssessmentRecorded']);
      const twice = await call('POST', `${P}/money-corrections/rf-1/approval`, { token: people.gus, body: {} });
      t.same([twice.status, twice.body.code], [409, 'CORRECTION_NOT_PENDING'], 'an approved refund is not approved again');
      const ledger = (await call('GET', `/v1/subsidy-ledgers/r2/${CODES.lead}/2019`, { token: people.fay })).body.state as { entries: Array<{ paymentId: string; reversed: boolean }> };
      t.ok(ledger.entries.find((e) => e.paymentId === 'pay2')?.reversed, 'the ledger entry is reversed');

      const D = '/v1/disbursements/r1-k-a';
      const tooMuch = await call('POST', `${D}/corrections`, { token: people.fay, body: { correctionId: 'cb-0', correction: { kind: 'clawback', amount: 20_000_000, decidedOn: '2019-11-05', basis: '审计报告' }, reason: '审计发现' } });
      t.equal(tooMuch.body.code, 'CLAWBACK_EXCEEDS_PAID');
      await must(`${D}/corrections`, people.fay, { correctionId: 'cb-1', correction: { kind: 'clawback', amount: 2_500_000, decidedOn: '2019-11-05', basis: '审计报告' }, reason: '审计发现超额拨付' });
      const own = await call('POST', `${D}/corrections/cb-1/approval`, { token: people.fay, body: {} });
      t.equal(own.body.code, 'FOUR_EYES_VIOLATION');
      const clawed = await must(`${D}/corrections/cb-1/approval`, people.gus, {});
      t.same((clawed.steps as Array<{ stream: string }>).map((s) => s.stream), ['disbursement-r1-k-a', 'project-k-a'], 'the disbursement and its entitlement (the closed project) in one append');
      const d = (await call('GET', D, { token: people.fay })).body.state as { clawedBack: number; bankReference: string };
      t.equal(d.clawedBack, 2_500_000);
      const dEvents = await events('disbursement-r1-k-a');
      const paid = dEvents.find((e) => e.type === 'DisbursementPaid')!;
      t.same(dEvents.at(-2)!.data.corrects, { eventId: paid.id, type: 'DisbursementPaid' });

      await must(`${D}/corrections`, people.gus, { correctionId: 'dbr-1', correction: { kind: 'bank_reference', bankReference: 'K-R1-0002' }, reason: '流水号录入错误' });
      await must(`${D}/corrections/dbr-1/approval`, people.fay, {});
      t.equal(((await call('GET', D, { token: people.fay })).body.state as { bankReference: string }).bankReference, 'K-R1-0002');
      t.equal((await events('bank-reference-K-R1-0001')).at(-1)!.type, 'BankReferenceReleased');
      const retry = await call('POST', `${D}/corrections/dbr-1/approval`, { token: people.fay, body: {} });
      t.equal(retry.body.code, 'CORRECTION_NOT_PENDING');
    });

    await t.test('the bundle verifier recomputes the money of a history with corrections and a refund after closing', async (t) => {
      const all = await readEverything(system);
      const result = verifyMoney(all);
      t.same(result.failures, [], result.summary);
      t.equal(result.checked.corrections, 5, 'the contract amount, two bank references, the refund, the clawback');
      t.match(result.checked, { r2Reversals: 1, clawbacks: 1 });
      const tamper = (type: string, change: (data: Record<string, unknown>) => void) =>
        all.map((e) => (e.type === type ? { ...e, data: (() => { const data = structuredClone(e.data) as Record<string, unknown>; change(data); return data; })() } : e)) as typeof all;
      t.match(verifyMoney(tamper('MoneyCorrectionApproved', (d) => (d.approvedBy = d.requestedBy))).failures.join('\n'), /approved by fay, who requested it \(four eyes\)/, 'a correction approved by its requester is found');
      t.match(
        verifyMoney(tamper('MoneyCorrectionApproved', (d) => { const c = d.correction as Record<string, unknown>; if (c.kind === 'contract_amount') c.amount = 10_000_000; })).failures.join('\n'),
        /corrects contract c1 to .* below the .* already paid/,
        'a contract corrected below what it paid is found',
      );
      const doubled = all.filter((e) => e.stream === 'bank-reference-K-PAY-0001' && e.type === 'BankReferenceReleased');
      t.match(verifyMoney(all.filter((e) => !doubled.includes(e)).map((e, _i, list) => e.stream === 'bank-reference-K-PAY-0001' ? { ...e, revision: list.filter((x) => x.stream === e.stream).indexOf(e) } : e)).failures.join('\n'), /while contract_payment k-a\.pay1 holds it; a bank reference is paid once/, 'a reference claimed twice without a release is found');
    });
  });
}
