import t from 'tap';
import { taizhouPolicy } from '../../src/policy.js';
import type { R2LedgerCommand } from '../../src/subsidy/r2-ledger.js';
import { r2LedgerDecider, r2LedgerStream } from '../../src/subsidy/r2-ledger.js';
import { yuan } from '../../src/values/fen.js';
import { codes, finance, on, reviewer } from '../fixtures/fixtures.js';
import { fold, history, specFor } from '../fixtures/given.js';

const given = specFor(r2LedgerDecider);
const r2Policy = {
  r2RateBps: taizhouPolicy.r2RateBps,
  r2Threshold: taizhouPolicy.r2Threshold,
  r2AnnualCap: taizhouPolicy.r2AnnualCap,
  r2ThresholdMode: taizhouPolicy.r2ThresholdMode,
};
const assess = (paymentId: string, amount: number, paidOn = '2019-10-08', contractId = paymentId): R2LedgerCommand => ({
  type: 'AssessR2Payment',
  actor: finance,
  at: on('2019-10-09'),
  data: { bureauCode: '331000', creditCode: codes.lead, year: 2019, policy: r2Policy, paymentId, projectId: 'p-pump-01', contractId, amount, paidOn, bankReference: `REF-${paymentId}` },
});
const reverse = (paymentId: string): R2LedgerCommand => ({
  type: 'AssessR2Reversal',
  actor: finance,
  at: on('2019-12-02'),
  data: { projectId: 'p-pump-01', paymentId, reversedOn: '2019-12-01', reason: 'refunded' },
});

t.test('the first assessment opens the ledger with its policy', async (t) => {
  given([]).when(assess('pay1', yuan(2_000_000))).then(t, [
    { type: 'R2LedgerOpened', data: { bureauCode: '331000', creditCode: codes.lead, year: 2019, policy: r2Policy } },
    { type: 'R2PaymentAssessed', data: { entitlementBefore: 0, entitlementAfter: yuan(100_000), subsidyGranted: yuan(100_000) } },
  ]);
  t.equal(r2LedgerStream('331000', codes.lead, 2019), `subsidy-${codes.lead}-2019`, 'the legacy bureau keeps its ledger names');
  t.equal(r2LedgerStream('331002', codes.lead, 2019), `subsidy-331002-${codes.lead}-2019`, 'every other bureau has its own cap');
});

t.test('later assessments grant the increase, up to the cap', async (t) => {
  const seven = history(r2LedgerDecider, ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'].map((c) => assess(c, yuan(3_000_000))));
  given(seven).when(assess('c7', yuan(3_000_000))).then(t, [
    { type: 'R2PaymentAssessed', data: { entitlementBefore: yuan(900_000), entitlementAfter: yuan(1_000_000), subsidyGranted: yuan(100_000) } },
  ]);
  const capped = history(r2LedgerDecider, [assess('c7', yuan(3_000_000))], seven);
  given(capped).when(assess('c8', yuan(3_000_000))).then(t, [{ type: 'R2PaymentAssessed', data: { subsidyGranted: 0 } }]);
  given(capped).when(reverse('c2')).then(t, [
    { type: 'R2ReversalAssessed', data: { entitlementBefore: yuan(1_000_000), entitlementAfter: yuan(900_000), clawback: yuan(100_000) } },
  ]);
  const state = fold(r2LedgerDecider, history(r2LedgerDecider, [reverse('c2')], capped));
  t.equal(state.granted - state.clawedBack, state.entitlement);
});

t.test('assessments are idempotent by payment', async (t) => {
  const once = history(r2LedgerDecider, [assess('pay1', yuan(2_000_000))]);
  given(once).when(assess('pay1', yuan(2_000_000))).then(t, []);
  const reversed = history(r2LedgerDecider, [reverse('pay1')], once);
  given(reversed).when(reverse('pay1')).then(t, []);
});

t.test('refusals', async (t) => {
  given([]).when(assess('pay1', yuan(2_000_000), '2020-01-01')).then(t, 'LEDGER_YEAR_MISMATCH');
  given([]).when(reverse('pay1')).then(t, 'LEDGER_ENTRY_NOT_FOUND');
  const once = history(r2LedgerDecider, [assess('pay1', yuan(2_000_000))]);
  const other = assess('pay2', 1);
  if (other.type === 'AssessR2Payment') {
    given(once).when({ ...other, data: { ...other.data, creditCode: codes.partner } }).then(t, 'LEDGER_PARTY_MISMATCH');
    given(once).when({ ...other, data: { ...other.data, bureauCode: '331002' } }).then(t, 'LEDGER_PARTY_MISMATCH');
  }
  given(once).when(assess('pay3', Number.MAX_SAFE_INTEGER)).then(t, 'AMOUNT_OUT_OF_RANGE');
  given([]).when({ ...assess('pay1', 1), actor: reviewer }).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('entries are keyed by (project, payment): two projects may each confirm a pay1', async (t) => {
  const inProject = (projectId: string, amount: number): R2LedgerCommand => {
    const base = assess('pay1', amount, '2019-10-08', 'c1');
    return base.type === 'AssessR2Payment' ? { ...base, data: { ...base.data, projectId } } : base;
  };
  const first = history(r2LedgerDecider, [inProject('p-a', yuan(2_000_000))]);
  given(first).when(inProject('p-b', yuan(4_000_000))).then(t, [
    { type: 'R2PaymentAssessed', data: { projectId: 'p-b', paymentId: 'pay1', entitlementBefore: yuan(100_000), entitlementAfter: yuan(300_000), subsidyGranted: yuan(200_000) } },
  ]);
  given(first).when(inProject('p-a', yuan(2_000_000))).then(t, []);
  const both = history(r2LedgerDecider, [inProject('p-b', yuan(4_000_000))], first);
  const reverseIn = (projectId: string): R2LedgerCommand => ({ type: 'AssessR2Reversal', actor: finance, at: on('2019-12-02'), data: { projectId, paymentId: 'pay1', reversedOn: '2019-12-01', reason: 'refunded' } });
  given(both).when(reverseIn('p-b')).then(t, [{ type: 'R2ReversalAssessed', data: { projectId: 'p-b', clawback: yuan(200_000) } }]);
  given(both).when(reverseIn('p-c')).then(t, 'LEDGER_ENTRY_NOT_FOUND');
  const state = fold(r2LedgerDecider, history(r2LedgerDecider, [reverseIn('p-b')], both));
  t.same(state.entries.map((e) => [e.projectId, e.reversed, e.entitlement]), [['p-a', false, yuan(100_000)], ['p-b', true, 0]], 'each entry carries its own share');
});
