import t from 'tap';
import { taizhouPolicy } from '../../src/policy.js';
import type { R2Entry } from '../../src/subsidy/r2-rules.js';
import { assessR2, assessR3 } from '../../src/subsidy/r2-rules.js';
import { yuan } from '../../src/values/fen.js';

const policy = taizhouPolicy;
let n = 0;
const pay = (contractId: string, amount: number, projectId = 'p1', reversed = false): R2Entry => ({
  paymentId: `pay${(n += 1)}`,
  projectId,
  contractId,
  amount,
  reversed,
});

t.test('DOMAIN.md examples', async (t) => {
  t.equal(assessR2([pay('A', yuan(2_000_000))], policy).entitlement, yuan(100_000), 'contract A: 2,000,000 yuan → 100,000 yuan');
  t.equal(assessR2([pay('B', yuan(980_000))], policy).entitlement, 0, 'contract B: 980,000 yuan is below the threshold');
  t.equal(assessR3([{ transactionId: 't', amount: yuan(4_000_000), reversed: false }], policy).entitlement, yuan(200_000));
});

t.test('exactly 1,000,000.00 yuan qualifies', async (t) => {
  t.equal(assessR2([pay('A', 100_000_000)], policy).entitlement, 5_000_000);
  t.equal(assessR2([pay('A', 99_999_999)], policy).entitlement, 0, '999,999.99 yuan does not');
});

t.test('1,000,000.01 yuan rounds down to 50,000.00 yuan', async (t) => {
  t.equal(assessR2([pay('A', 100_000_001)], policy).entitlement, 5_000_000);
  t.equal(assessR2([pay('A', 100_000_019)], policy).entitlement, 5_000_000, '50,000.0095 yuan → 50,000.00');
  t.equal(assessR2([pay('A', 100_000_020)], policy).entitlement, 5_000_001);
});

t.test('seven 3,000,000-yuan contracts hit the 1,000,000-yuan cap in the middle of the seventh', async (t) => {
  const entries = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'].map((c) => pay(c, yuan(3_000_000)));
  const result = assessR2(entries, policy);
  t.equal(result.uncapped, yuan(1_050_000));
  t.equal(result.entitlement, yuan(1_000_000));
  t.same(result.contracts.map((c) => c.allocated), [...Array(6).fill(yuan(150_000)), yuan(100_000)]);
  t.equal(assessR2([...entries, pay('c8', yuan(5_000_000))], policy).entitlement, yuan(1_000_000), 'over the cap: nothing more');
});

t.test('a reversal after the cap was reached', async (t) => {
  const entries = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'].map((c) => pay(c, yuan(3_000_000)));
  const reverse = (ids: string[]) => entries.map((e) => (ids.includes(e.contractId) ? { ...e, reversed: true } : e));
  t.equal(assessR2(reverse(['c2']), policy).entitlement, yuan(900_000), 'uncapped 900,000 → clawback 100,000 yuan');
  t.equal(assessR2(reverse(['c2', 'c3']), policy).entitlement, yuan(750_000));
  const eight = [...entries, pay('c8', yuan(3_000_000))];
  const eightReversed = eight.map((e) => (e.contractId === 'c1' ? { ...e, reversed: true } : e));
  t.equal(assessR2(eightReversed, policy).entitlement, yuan(1_000_000), 'still over the cap: nothing to claw back');
});

t.test('instalments of one contract count together in the year', async (t) => {
  const first = pay('A', yuan(600_000));
  t.equal(assessR2([first], policy).entitlement, 0);
  t.equal(assessR2([first, pay('A', yuan(500_000))], policy).entitlement, yuan(55_000), '1,100,000 yuan → 55,000 yuan on the whole');
});

t.test('per-contract threshold: two small contracts earn nothing; per-year aggregation pays', async (t) => {
  const entries = [pay('A', yuan(600_000)), pay('B', yuan(500_000))];
  t.equal(assessR2(entries, policy).entitlement, 0);
  t.equal(assessR2(entries, { ...policy, r2ThresholdMode: 'per_year' }).entitlement, yuan(55_000));
  t.equal(assessR2([pay('A', yuan(900_000))], { ...policy, r2ThresholdMode: 'per_year' }).entitlement, 0);
  t.equal(assessR2([pay('A', yuan(30_000_000))], { ...policy, r2ThresholdMode: 'per_year' }).entitlement, yuan(1_000_000));
});

t.test('same contract id in two projects are two contracts', async (t) => {
  const entries = [pay('c1', yuan(600_000), 'p1'), pay('c1', yuan(600_000), 'p2')];
  t.equal(assessR2(entries, policy).entitlement, 0);
});

t.test('a contract that qualifies later takes the cap after those that qualified earlier', async (t) => {
  const entries = [pay('A', yuan(900_000)), pay('B', yuan(19_000_000)), pay('A', yuan(2_000_000))];
  const result = assessR2(entries, policy);
  t.same(result.contracts.map((c) => [c.contractKey, c.allocated]), [
    ['p1/B', yuan(950_000)],
    ['p1/A', yuan(50_000)],
  ]);
});

t.test('R3: 5% of in-city volume, capped at 500,000 yuan', async (t) => {
  const r3 = (amounts: number[]) => assessR3(amounts.map((amount, i) => ({ transactionId: `t${i}`, amount, reversed: false })), policy);
  t.equal(r3([yuan(10_000_000)]).entitlement, yuan(500_000));
  t.equal(r3([yuan(12_000_000)]).entitlement, yuan(500_000));
  t.equal(r3([yuan(12_000_000)]).uncapped, yuan(600_000));
  t.equal(r3([19, 19]).entitlement, 1, 'rounded on the year total: 38 fen × 5% = 1.9 → 1');
  t.equal(r3([]).entitlement, 0);
});
