import t from 'tap';
import { CommandResult } from '../services/lifecycle-api/src/routes/command-route.js';
import { caller } from './support/api.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const LEAD = '91331000MA2AB12341';
const PARTNER = '52331000MA2K12345W';
const UNIVERSITY = '12331000470000001L';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: a project from programme launch to closing over real HTTP, with R1 paid, an R2 subsidy paid and one clawed back`, async (t) => {
    const clock = testClock('2018-05-01T01:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env })]);
    const call = caller(system.url);
    const alice = await system.token('officer', 'alice');
    const bob = await system.token('officer', 'bob');
    const chen = await system.token('reviewer', 'expert-chen');
    const ann = await system.token('approver', 'ann');
    const fay = await system.token('finance', 'fay');
    const gus = await system.token('finance', 'gus');
    const ok = async (at: string, method: string, path: string, token: string, body: unknown, expected = 200) => {
      clock.set(at);
      const res = await call(method, path, { token, body });
      t.equal(res.status, expected, `${method} ${path} → ${expected}${res.status !== expected ? `: ${JSON.stringify(res.body)}` : ''}`);
      if (method === 'POST' && res.status < 300) {
        // The route answers without a runtime parse: every answer must be the documented shape, no more.
        const checked = CommandResult.safeParse(res.body);
        t.ok(checked.success, `${method} ${path}: the answer matches CommandResult${checked.success ? '' : `: ${checked.error.message}`}`);
        if (checked.success) t.strictSame(checked.data, res.body, `${method} ${path}: the answer has no field beyond CommandResult`);
      }
      return res;
    };

    const launched = await ok('2018-05-01T01:00:00Z', 'POST', '/v1/programmes', alice, {
      programmeId: 'tz-2018', name: 'Taizhou 2018 ten major breakthrough projects', bureau: 'Taizhou S&T Bureau', quota: 10, focusIndustries: ['pumps'],
    }, 201);
    t.equal(launched.headers.get('location'), '/v1/programmes/tz-2018');
    await ok('2018-05-01T02:00:00Z', 'POST', '/v1/programmes/tz-2018/solicitation/opening', alice, { opensOn: '2018-05-01', closesOn: '2018-07-31' });
    const submitted = await ok('2018-06-01T02:00:00Z', 'POST', '/v1/programmes/tz-2018/proposals', alice, {
      projectId: 'p-pump-01', title: 'High-efficiency submersible pump hydraulics',
      leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: LEAD }, partners: [{ name: 'Zhejiang Valve Co.', creditCode: PARTNER }],
      industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulic model optimisation'], requestedFunding: 300_000_000,
    }, 201);
    t.equal(submitted.headers.get('location'), '/v1/projects/p-pump-01');
    const P = '/v1/projects/p-pump-01';
    await ok('2018-06-05T02:00:00Z', 'POST', `${P}/formal-review`, bob, { passed: true });
    await ok('2018-06-10T02:00:00Z', 'POST', `${P}/reviewers`, alice, { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: UNIVERSITY });
    await ok('2018-06-20T02:00:00Z', 'POST', `${P}/scores`, chen, { score: 88 });
    await ok('2018-07-09T02:00:00Z', 'POST', `${P}/publicity`, alice, { startsOn: '2018-07-10' });
    await ok('2018-07-17T02:00:00Z', 'POST', `${P}/approval`, ann, { comment: 'Selected' });
    await ok('2018-07-25T02:00:00Z', 'POST', `${P}/task-book`, alice, {
      startOn: '2018-08-01', approvedFunding: 200_000_000,
      milestones: [{ milestoneId: 'm1', title: 'Hydraulic model validated', dueOn: '2019-02-01' }, { milestoneId: 'm2', title: 'Prototype tested', dueOn: '2019-08-01' }],
      indicators: [{ name: 'Efficiency', target: '≥ 82% at rated flow' }],
    });

    // R1: awarded once, requested, approved by someone else, paid with a bank reference.
    const r1 = await ok('2018-08-02T02:00:00Z', 'POST', `${P}/grants/r1`, fay, {}, 201);
    const r1Path = String(r1.headers.get('location'));
    t.equal(r1Path, '/v1/disbursements/r1-p-pump-01');
    const selfApproval = await ok('2018-08-03T02:00:00Z', 'POST', `${r1Path}/approval`, fay, {}, 403);
    t.equal(selfApproval.body.code, 'FOUR_EYES_VIOLATION', 'the requester cannot approve');
    await ok('2018-08-03T02:00:00Z', 'POST', `${r1Path}/approval`, gus, {});
    await ok('2018-08-15T02:00:00Z', 'POST', `${r1Path}/payment`, fay, { bankReference: 'ICBC-2018-0815-0001', paidOn: '2018-08-15' });
    const again = await ok('2018-08-16T02:00:00Z', 'POST', `${P}/grants/r1`, fay, { disbursementId: 'r1-second' }, 409);
    t.equal(again.body.code, 'R1_ALREADY_AWARDED');

    await ok('2019-01-26T02:00:00Z', 'POST', `${P}/milestones/m1/report`, alice, { reportedOn: '2019-01-25', summary: 'done', evidence: ['report.pdf'] });
    await ok('2019-01-30T02:00:00Z', 'POST', `${P}/milestones/m1/acceptance`, bob, {});
    await ok('2019-07-26T02:00:00Z', 'POST', `${P}/milestones/m2/report`, alice, { reportedOn: '2019-07-25', summary: 'done', evidence: ['test.pdf'] });
    await ok('2019-07-30T02:00:00Z', 'POST', `${P}/milestones/m2/acceptance`, bob, {});
    await ok('2019-08-05T02:00:00Z', 'POST', `${P}/stage`, alice, { to: 'promotion' });
    await ok('2019-09-02T02:00:00Z', 'POST', `${P}/contracts`, alice, {
      contractId: 'c1', title: 'Licence of the pump hydraulic model', transferor: { name: 'Taizhou University', creditCode: UNIVERSITY },
      transferee: { name: 'Taizhou Pump Co.', creditCode: LEAD }, amount: 400_000_000, signedOn: '2019-09-01',
    });

    // R2: 2,000,000 yuan bank-paid → 100,000 yuan; 1,500,000 yuan → 75,000 yuan, later refunded and clawed back.
    const pay1 = await ok('2019-10-09T02:00:00Z', 'POST', `${P}/contracts/c1/payments`, alice, { paymentId: 'pay1', amount: 200_000_000, bankReference: 'ICBC-2019-1008-0001', paidOn: '2019-10-08' }, 201);
    const paySteps = pay1.body.steps as Array<{ stream: string; position: string; events: Array<{ type: string }> }>;
    t.same(paySteps.map((s) => s.events.map((e) => e.type)), [['BankReferenceClaimed'], ['ContractPaymentConfirmed', 'SubsidyAssessmentRecorded'], ['R2LedgerOpened', 'R2PaymentAssessed']], 'claim, confirm and record back, assess on the ledger');
    t.equal(new Set(paySteps.map((s) => s.position.split('-')[0])).size, 1, 'one atomic append: the three streams were written by one transaction');
    const pay2 = await ok('2019-11-02T02:00:00Z', 'POST', `${P}/contracts/c1/payments`, alice, { paymentId: 'pay2', amount: 150_000_000, bankReference: 'ICBC-2019-1101-0002', paidOn: '2019-11-01' }, 201);
    t.ok(String(pay2.body.position) > String(pay1.body.position), 'positions grow');
    const reused = await ok('2019-11-03T02:00:00Z', 'POST', `${P}/contracts/c1/payments`, alice, { paymentId: 'pay3', amount: 10_000_000, bankReference: 'icbc-2019-1101-0002', paidOn: '2019-11-01' }, 409);
    t.equal(reused.body.code, 'BANK_REFERENCE_ALREADY_USED', 'a bank reference is paid once, whatever its spelling');

    const ledgerPath = `/v1/subsidy-ledgers/r2/${LEAD}/2019`;
    let ledger = await call('GET', ledgerPath, { token: alice });
    t.equal((ledger.body.state as { entitlement: number }).entitlement, 17_500_000, '100,000 + 75,000 yuan');

    const entitlement = (paymentId: string) => ({ rule: 'R2', creditCode: LEAD, year: 2019, projectId: 'p-pump-01', paymentId });
    const subsidy = async (id: string, amount: number, paymentId: string, bankRef: string, paidOn: string) => {
      await ok(`${paidOn}T03:00:00Z`, 'POST', '/v1/disbursements', fay, { disbursementId: id, entitlement: entitlement(paymentId), payee: { name: 'Taizhou Pump Co.', creditCode: LEAD } }, 201);
      const requested = await call('GET', `/v1/disbursements/${id}`, { token: fay });
      t.equal((requested.body.state as { amount: number }).amount, amount, `${id}: the amount is what the entry owes`);
      await ok(`${paidOn}T04:00:00Z`, 'POST', `/v1/disbursements/${id}/approval`, gus, {});
      await ok(`${paidOn}T05:00:00Z`, 'POST', `/v1/disbursements/${id}/payment`, fay, { bankReference: bankRef, paidOn });
    };
    await subsidy('r2-pay1', 10_000_000, 'pay1', 'ABC-2019-1201-0001', '2019-12-01');
    await subsidy('r2-pay2', 7_500_000, 'pay2', 'ABC-2019-1201-0002', '2019-12-01');
    const twice = await ok('2019-12-02T02:00:00Z', 'POST', '/v1/disbursements', fay, { entitlement: entitlement('pay1'), payee: { name: 'Taizhou Pump Co.', creditCode: LEAD } }, 409);
    t.equal(twice.body.code, 'ENTITLEMENT_SETTLED', 'an entry already paid owes nothing more');

    const reversal = await ok('2019-12-20T02:00:00Z', 'POST', `${P}/payments/pay2/reversal`, alice, { reversedOn: '2019-12-19', reason: 'Buyer refunded after a quality dispute' });
    const reversalSteps = reversal.body.steps as Array<{ stream: string; position: string; events: Array<{ type: string }> }>;
    t.same(reversalSteps.map((s) => s.events.map((e) => e.type)), [['R2ReversalAssessed', 'EntitlementClaimRecovered'], ['ContractPaymentReversed', 'SubsidyAssessmentRecorded'], ['DisbursementClawedBack']], 'the ledger, the refund and its record back, the clawback on r2-pay2');
    t.equal(new Set(reversalSteps.map((s) => s.position.split('-')[0])).size, 1, 'one atomic append: nothing of the refund is left pending');
    ledger = await call('GET', ledgerPath, { token: alice });
    t.equal((ledger.body.state as { entitlement: number }).entitlement, 10_000_000, 'entitlement recomputed after the refund');
    const clawed = await call('GET', '/v1/disbursements/r2-pay2', { token: fay });
    t.equal(clawed.status, 200);
    t.match(clawed.body.state, { status: 'paid', clawedBack: 7_500_000 }, 'what was paid for the refunded payment is clawed back by the reversal');
    const more = await ok('2019-12-21T02:00:00Z', 'POST', '/v1/disbursements/r2-pay2/clawbacks', fay, {
      clawbackId: 'cb-pay2', amount: 1, decidedOn: '2019-12-21', reason: 'Contract payment refunded', basis: 'audit',
    }, 409);
    t.equal(more.body.code, 'CLAWBACK_EXCEEDS_PAID');

    await ok('2020-08-10T02:00:00Z', 'POST', `${P}/acceptance-application`, alice, { appliedOn: '2020-08-10' });
    await ok('2020-09-15T02:00:00Z', 'POST', `${P}/acceptance-conclusion`, ann, { result: 'passed', concludedOn: '2020-09-15' });
    await ok('2020-09-20T02:00:00Z', 'POST', `${P}/closing`, alice, {});

    const final = await call('GET', P, { token: alice });
    t.equal(final.status, 200);
    t.match(final.body.state, { status: 'closed', stage: 'promotion' });
    t.same(final.body.pending, [], 'no assessment left pending');
    t.match(final.headers.get('etag'), /^"\d+"$/);
    const closedRefusal = await ok('2020-09-21T02:00:00Z', 'POST', `${P}/suspension`, alice, { reason: 'late' }, 409);
    t.match(closedRefusal.headers.get('content-type'), /application\/problem\+json/);
  });
}
