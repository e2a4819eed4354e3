import t from 'tap';
import type { RecordedEvent } from '@gongguan/event-store';
import { requiredStreams, verifyMoney } from '../scripts/verify-bundle-money.mjs';
import { cleanHistory, INSTITUTION, readEverything, Y_LEAD } from './support/money-history.js';
import { CODES } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * The offline verifier recomputes the money (issue 17 item 2): a history written by the running
 * system verifies, and any amount changed by one fen, or a compensating event deleted, is rejected.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

type Data = Record<string, unknown>;
type Pick = (e: RecordedEvent) => boolean;

const is = (type: string, stream: string, where: (data: Data) => boolean = () => true): Pick => (e) => e.type === type && e.stream === stream && where(e.data as Data);
const R2_LEAD = `subsidy-${CODES.lead}-2019`;
const R2_Y = `subsidy-${Y_LEAD}-2019`;
const R3 = `r3-${INSTITUTION}-2019`;

/** A copy of the events with the data of the one event `pick` finds changed. */
function changed(events: readonly RecordedEvent[], pick: Pick, change: (data: Data) => void): RecordedEvent[] {
  const copy = structuredClone(events) as RecordedEvent[];
  const found = copy.filter(pick);
  if (found.length !== 1) throw new Error(`the tamper found ${found.length} events, not one`);
  change(found[0]!.data as Data);
  return copy;
}

/** A copy without the events `picks` find, the later revisions of their streams renumbered (as a forger would). */
function without(events: readonly RecordedEvent[], ...picks: Pick[]): RecordedEvent[] {
  const gone = events.filter((e) => picks.some((p) => p(e)));
  if (gone.length !== picks.length) throw new Error(`the deletion found ${gone.length} events for ${picks.length} picks`);
  return structuredClone(events.filter((e) => !gone.includes(e))).map((e) => ({
    ...e,
    revision: e.revision - gone.filter((g) => g.stream === e.stream && g.revision < e.revision).length,
  }));
}

const plus = (field: string, by: number) => (data: Data) => {
  data[field] = (data[field] as number) + by;
};

for (const kind of kinds) {
  t.test(`${kind}: the verifier recomputes the money of a history the system wrote`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    await cleanHistory(system, (iso) => clock.set(iso));
    const events = await readEverything(system);

    t.test('a clean history verifies, every part of it replayed', async (t) => {
      const result = verifyMoney(events);
      t.same(result.failures, [], result.summary);
      t.match(result.checked, { projects: 3, r1Grants: 2, r2Ledgers: 2, r2Assessments: 5, r2Reversals: 2, r3Ledgers: 1, r3Transactions: 2, r3Reversals: 1, legacyDisbursements: 0 });
      t.equal(result.checked.disbursements, 10);
      t.equal(result.checked.clawbacks, 4, 'the finding, and the three reductions clawed back');
      t.ok(result.checked.crossChecks > 20, `${result.checked.crossChecks} cross-stream checks`);
      t.match(result.summary, /every amount matches$/);
    });

    t.test('any amount changed by one fen is rejected, naming stream, revision, entitlement and both amounts', async (t) => {
      const cases: Array<[string, Pick, (d: Data) => void, RegExp]> = [
        ['the R1 award', is('SelectionGrantAwarded', 'project-v-1'), plus('amount', 1), /project-v-1 revision \d+ \(SelectionGrantAwarded\), entitlement project-v-1\/R1: the R1 award records 10000001 fen \(100,000\.01 yuan\); the recomputation gives 10000000 fen \(100,000\.00 yuan\)/],
        ['the policy copied into the project', is('ProjectSubmitted', 'project-v-1'), (d) => { (d.policy as Data).r1GrantAmount = 9_999_999; }, /SelectionGrantAwarded.*records 10000000 fen.*gives 9999999 fen/],
        ['a bank payment on the project', is('ContractPaymentConfirmed', 'project-v-1', (d) => d.paymentId === 'pay2'), plus('amount', 1), /R2PaymentAssessed\), entitlement subsidy-.*\/v-1\/pay2: the assessed payment amount .* records 150000000 fen .* gives 150000001 fen/],
        ['a refunded amount', is('ContractPaymentReversed', 'project-v-1'), plus('amount', -1), /ContractPaymentReversed\): the reversal of payment pay1 records 199999999 fen/],
        ['the subsidy recorded on the project', is('SubsidyAssessmentRecorded', 'project-v-2'), plus('subsidyGranted', 1), /SubsidyAssessmentRecorded\), entitlement .*v-2\/pay1: subsidyGranted records 82500001 fen \(825,000\.01 yuan\); the recomputation gives 82500000 fen/],
        ['the clawback recorded on the project', is('SubsidyAssessmentRecorded', 'project-v-1', (d) => d.step === 'reversal'), plus('clawback', 1), /clawback records 2500001 fen/],
        ['an assessed payment', is('R2PaymentAssessed', R2_LEAD, (d) => d.projectId === 'v-2'), plus('amount', 1), /the assessed payment amount .* records 1800000001 fen/],
        ['entitlementBefore', is('R2PaymentAssessed', R2_LEAD, (d) => d.paymentId === 'pay2'), plus('entitlementBefore', 1), /entitlementBefore records 10000001 fen/],
        ['entitlementAfter', is('R2PaymentAssessed', R2_LEAD, (d) => d.projectId === 'v-2'), plus('entitlementAfter', -1), /entitlementAfter records 99999999 fen.*gives 100000000 fen/],
        ['subsidyGranted', is('R2PaymentAssessed', R2_Y, (d) => d.paymentId === 'pay2'), plus('subsidyGranted', 1), /subsidy-.*-2019\/y-1\/pay2: subsidyGranted records 5500001 fen/],
        ['a reversal clawback', is('R2ReversalAssessed', R2_LEAD), plus('clawback', 1), /R2ReversalAssessed\), entitlement .*\/v-1\/pay1: clawback records 2500001 fen/],
        ['a reversal entitlementAfter', is('R2ReversalAssessed', R2_Y), plus('entitlementAfter', 1), /entitlementAfter records 1 fen \(0\.01 yuan\); the recomputation gives 0 fen/],
        ['an R3 subsidy', is('R3TransactionRecorded', R3, (d) => d.transactionId === 't2'), plus('subsidyGranted', -1), /R3TransactionRecorded\), entitlement r3-.*\/t2: subsidyGranted records 19999999 fen/],
        ['an R3 reversal', is('R3TransactionReversed', R3), plus('clawback', 1), /clawback records 15000001 fen/],
        ['a claim', is('EntitlementClaimed', R2_LEAD, (d) => d.disbursementId === 'r2-v-2-pay1'), plus('amount', 1), /EntitlementClaimed\), entitlement .*\/v-2\/pay1: the claim of disbursement r2-v-2-pay1 records 82500001 fen/],
        ['a claim paid', is('EntitlementClaimPaid', 'project-v-1'), plus('amount', -1), /EntitlementClaimPaid\), entitlement project-v-1\/R1: the payment of disbursement r1-v-1 records 9999999 fen/],
        ['a recovery', is('EntitlementClaimRecovered', R3), plus('amount', -1), /the recovery from disbursement r3-t1 records 14999999 fen.*gives 15000000 fen/],
        ['a finding recovery', is('EntitlementClaimRecovered', R2_LEAD, (d) => d.cause === 'clawback'), plus('amount', 1), /DisbursementClawedBack\), entitlement .*v-2\/pay1: records 1000000 fen .*EntitlementClaimRecovered\) records 1000001 fen/],
        ['a disbursement requested', is('DisbursementRequested', 'disbursement-r2-v-1-pay2'), plus('amount', 1), /disbursement-r2-v-1-pay2 revision 0 \(DisbursementRequested\), entitlement .*\/v-1\/pay2: records 7500001 fen/],
        ['a disbursement paid', is('DisbursementPaid', 'disbursement-r3-t2'), plus('amount', 1), /DisbursementPaid\), entitlement r3-.*\/t2: the payment of disbursement r3-t2 records 20000001 fen/],
        ['a bank return', is('DisbursementReversed', 'disbursement-r1-v-2'), plus('amount', -1), /the return of disbursement r1-v-2 records 9999999 fen/],
        ['a clawback', is('DisbursementClawedBack', 'disbursement-r2-y-1-pay2'), plus('amount', -1), /DisbursementClawedBack\), entitlement .*\/y-1\/pay2: records 5499999 fen/],
        ['the ledger policy', is('R2LedgerOpened', R2_LEAD), (d) => { (d.policy as Data).r2Threshold = 100_000_001; }, /R2LedgerOpened\): the ledger's r2Threshold is 100000001; project v-1, whose payment opened it, carries 100000000/],
      ];
      for (const [what, pick, change, expected] of cases) {
        const { failures } = verifyMoney(changed(events, pick, change));
        t.ok(failures.length > 0, `${what}: rejected`);
        t.ok(failures.some((f) => expected.test(f)), `${what}: ${failures.join(' | ')}`);
      }
    });

    t.test('a compensating event deleted is rejected', async (t) => {
      const cases: Array<[string, Pick[], RegExp]> = [
        ['an R2 reversal assessment', [is('R2ReversalAssessed', R2_Y)], /payment pay1 is refunded, but subsidy-.* never assessed the reversal/],
        ['the clawback of 55,000 yuan paid out against 0 granted', [is('DisbursementClawedBack', 'disbursement-r2-y-1-pay2')], /EntitlementClaimRecovered\), entitlement .*\/y-1\/pay2: recovered .* 5500000 fen \(55,000\.00 yuan\) for disbursement r2-y-1-pay2 has no matching event on disbursement-r2-y-1-pay2/],
        ['both sides of that clawback', [is('DisbursementClawedBack', 'disbursement-r2-y-1-pay2'), is('EntitlementClaimRecovered', R2_Y)], /y-1\/pay2: paid 5500000 fen \(55,000\.00 yuan\) net of recoveries, beyond the 0 fen \(0\.00 yuan\) it entitles/],
        ['a payment (ClaimPaid and DisbursementPaid)', [is('DisbursementPaid', 'disbursement-r1-v-1'), is('EntitlementClaimPaid', 'project-v-1')], /bank reference R1-V-1 is claimed by disbursement r1-v-1, which records no payment with it/],
        ['a refund on the project', [is('ContractPaymentReversed', 'project-v-1'), is('SubsidyAssessmentRecorded', 'project-v-1', (d) => d.step === 'reversal')], /the ledger reverses a payment the project never reversed/],
        ['an R3 reversal', [is('R3TransactionReversed', R3)], /recovers 15000000 fen .* for a reduction, but no reduction just before it/],
      ];
      for (const [what, picks, expected] of cases) {
        const { failures } = verifyMoney(without(events, ...picks));
        t.ok(failures.some((f) => expected.test(f)), `${what}: ${failures.join(' | ')}`);
      }
      const gap = events.filter((e) => !(e.type === 'R2PaymentAssessed' && e.stream === R2_LEAD && (e.data as Data).paymentId === 'pay2'));
      t.match(verifyMoney(gap).failures, [new RegExp(`^${R2_LEAD}: incomplete among these events`)], 'a stream with a gap cannot be replayed');
      t.same(verifyMoney(gap, { partial: 'skip' }).checked.incompleteStreams, [R2_LEAD], 'skip mode lists it instead');
    });

    t.test('the required streams of a project close over its money, and that closure verifies', async (t) => {
      const streams = new Set(['project-v-1']);
      for (let round = 0; round < 10; round++) {
        const next = requiredStreams(events.filter((e) => streams.has(e.stream)));
        const before = streams.size;
        for (const s of next) if (events.some((e) => e.stream === s)) streams.add(s);
        if (streams.size === before) break;
      }
      const bundle = events.filter((e) => streams.has(e.stream));
      t.ok(streams.has(R2_LEAD) && streams.has('disbursement-r1-v-1') && streams.has('bank-reference-BK-V-1-PAY1') && streams.has('disbursement-r2-v-2-pay1'), [...streams].join(' '));
      t.notOk(streams.has('project-v-2'), 'another project sharing the ledger is not required');
      t.notOk(streams.has(R3), 'R3 is not part of the project');
      const result = verifyMoney(bundle);
      t.same(result.failures, [], result.summary);
      const missing = verifyMoney(bundle.filter((e) => e.stream !== R2_LEAD)).failures;
      t.ok(missing.some((f) => f.startsWith(`${R2_LEAD}: not among these events, and the money depends on it (project-v-1@`)), missing.join(' | '));
    });

    t.test('every stored version of the money events is read as the domain upcasts it', async (t) => {
      const downgrade = (pick: Pick, version: number, change: (d: Data) => void) => (list: RecordedEvent[]) =>
        list.map((e) => {
          if (!pick(e)) return e;
          const data = structuredClone(e.data) as Data;
          change(data);
          return { ...e, schemaVersion: version, data } as RecordedEvent;
        });
      const reversalV1 = downgrade(is('R2ReversalAssessed', R2_LEAD), 1, (d) => delete d.projectId);
      t.same(verifyMoney(reversalV1(events)).failures, [], 'R2ReversalAssessed v1 names the first entry with its payment id');
      // Before r2Beneficiary: programme tz-v launched at v1, its projects submitted at v2, their contracts registered at v1.
      const tzv = (type: string): Pick => (e) => e.type === type && ['programme-tz-v', 'project-v-1', 'project-v-2'].includes(e.stream);
      const launchedV1 = downgrade(tzv('ProgrammeLaunched'), 1, (d) => delete (d.policy as Data).r2Beneficiary);
      const submittedV2 = (list: RecordedEvent[]) => downgrade(tzv('ProjectSubmitted'), 2, (d) => delete (d.policy as Data).r2Beneficiary)(launchedV1(list));
      t.match(verifyMoney(submittedV2(events)).failures.join('\n'), /payment pay1 is assessed for 91331000MA2AB12341; the policy's beneficiary \(transferor\) of contract c1 is 12331000470000001L/, 'ProjectSubmitted v2 paid the transferor');
      const contractV1 = downgrade(tzv('ConversionContractRegistered'), 1, (d) => {
        d.buyer = d.transferee;
        delete d.transferee;
        delete d.transferor;
      });
      t.same(verifyMoney(contractV1(submittedV2(events))).failures, [], 'ConversionContractRegistered v1: the transferor was the lead enterprise');
      // The v1 R1: the award implied the claim, and the disbursement named no entitlement.
      const legacy = downgrade(is('SelectionGrantAwarded', 'project-v-1'), 1, (d) => delete d.impliesClaim)(
        downgrade(is('DisbursementRequested', 'disbursement-r1-v-1'), 1, (d) => delete d.entitlement)(
          without(events, is('EntitlementClaimed', 'project-v-1'), is('EntitlementClaimPaid', 'project-v-1')),
        ),
      );
      const legacyResult = verifyMoney(legacy);
      t.same(legacyResult.failures, [], legacyResult.summary);
      t.equal(legacyResult.checked.legacyDisbursements, 1);
      const overpaidLegacy = changed(changed(legacy, is('DisbursementRequested', 'disbursement-r1-v-1'), plus('amount', 1)), is('DisbursementPaid', 'disbursement-r1-v-1'), plus('amount', 1));
      t.match(verifyMoney(overpaidLegacy).failures.join('\n'), /legacy disbursements r1-v-1 paid 10000001 fen .* for the R1 grant of 10000000 fen/);
      const future = downgrade(is('R2LedgerOpened', R2_LEAD), 9, () => undefined)(events);
      t.match(verifyMoney(future).failures.join('\n'), /R2LedgerOpened\): schema version 9 is not one this verifier knows/);
    });
  });
}
