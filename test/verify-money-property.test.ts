import fc from 'fast-check';
import t from 'tap';
import { assessR2, assessR3 } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import { recomputeR2, recomputeR3, verifyMoney } from '../scripts/verify-bundle-money.mjs';
import { launchBoth, moneyApi, partyCode, readEverything } from './support/money-history.js';
import { CODES, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * Random money histories written by the running system verify, and a random one-fen change of a
 * random amount in them is rejected. Seeded: replay a run with MONEY_VERIFY_SEED=<seed>.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

const seed = Number(process.env.MONEY_VERIFY_SEED ?? 1717);
t.comment(`fast-check seed ${seed} (replay with MONEY_VERIFY_SEED=${seed})`);

const RUNS = 10;
const YUAN = 100;
const THRESHOLD = 1_000_000 * YUAN;
/** Bank payments around the threshold, small ones, and big ones that reach the cap. */
const paymentAmount = fc.oneof(
  fc.integer({ min: THRESHOLD - 200_000 * YUAN, max: THRESHOLD + 200_000 * YUAN }),
  fc.integer({ min: 1, max: 900_000 * YUAN }),
  fc.integer({ min: 5_000_000 * YUAN, max: 25_000_000 * YUAN }),
);

type Op =
  | { k: 'pay'; contract: number; amount: number }
  | { k: 'disburse' | 'refund' | 'return' | 'r3disburse' | 'r3reverse'; i: number }
  | { k: 'finding'; i: number; share: number }
  | { k: 'r3'; amount: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ k: fc.constant('pay' as const), contract: fc.nat(1), amount: paymentAmount }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('disburse' as const), i: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('refund' as const), i: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('return' as const), i: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('finding' as const), i: fc.nat(20), share: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('r3' as const), amount: fc.integer({ min: 1, max: 8_000_000 * YUAN }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('r3disburse' as const), i: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('r3reverse' as const), i: fc.nat(20) }) },
);

/** The amounts a one-fen change must be caught in (an R3 volume is not: a floor can hide it, and nothing else records it). */
const AMOUNT_FIELDS: Record<string, string[]> = {
  SelectionGrantAwarded: ['amount'],
  ContractPaymentConfirmed: ['amount'],
  ContractPaymentReversed: ['amount'],
  SubsidyAssessmentRecorded: ['subsidyGranted', 'clawback'],
  R2PaymentAssessed: ['amount', 'entitlementBefore', 'entitlementAfter', 'subsidyGranted'],
  R2ReversalAssessed: ['entitlementBefore', 'entitlementAfter', 'clawback'],
  R3TransactionRecorded: ['entitlementBefore', 'entitlementAfter', 'subsidyGranted'],
  R3TransactionReversed: ['entitlementBefore', 'entitlementAfter', 'clawback'],
  EntitlementClaimed: ['amount'],
  EntitlementClaimPaid: ['amount'],
  EntitlementClaimRecovered: ['amount'],
  DisbursementRequested: ['amount'],
  DisbursementPaid: ['amount'],
  DisbursementReversed: ['amount'],
  DisbursementClawedBack: ['amount'],
};

t.test('the verifier\'s R2 and R3 arithmetic is the domain\'s', async (t) => {
  const amount = fc.oneof(fc.integer({ min: 1, max: 3 * THRESHOLD }), fc.integer({ min: 1, max: Math.floor(Number.MAX_SAFE_INTEGER / 16) }));
  const r2Policy = fc.record({
    r2RateBps: fc.integer({ min: 0, max: 10_000 }),
    r2Threshold: fc.oneof(fc.constant(THRESHOLD), fc.integer({ min: 0, max: 3 * THRESHOLD })),
    r2AnnualCap: fc.oneof(fc.constant(THRESHOLD), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
    r2ThresholdMode: fc.constantFrom('per_contract' as const, 'per_year' as const),
  });
  const entry = fc.record({ projectId: fc.constantFrom('p1', 'p2'), contractId: fc.constantFrom('c1', 'c2', 'c3'), paymentId: fc.string(), amount, reversed: fc.boolean() });
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 10 }), r2Policy, (entries, policy) => {
      const domain = assessR2(entries, policy);
      const ours = recomputeR2(entries, policy);
      return ours.entitlement === domain.entitlement && ours.uncapped === domain.uncapped;
    }),
    { seed, numRuns: 3000 },
  );
  const r3Entry = fc.record({ transactionId: fc.string(), amount, reversed: fc.boolean() });
  const r3Policy = fc.record({ r3RateBps: fc.integer({ min: 0, max: 10_000 }), r3AnnualCap: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) });
  fc.assert(
    fc.property(fc.array(r3Entry, { maxLength: 10 }), r3Policy, (entries, policy) => {
      const domain = assessR3(entries, policy);
      const ours = recomputeR3(entries, policy);
      return ours.entitlement === domain.entitlement && ours.uncapped === domain.uncapped;
    }),
    { seed, numRuns: 3000 },
  );
  t.pass('3000 random R2 and 3000 random R3 ledgers agree to the fen');
});

for (const kind of kinds) {
  t.test(`${kind}: random money histories verify, and a random one-fen change is rejected`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const api = await moneyApi(system);
    const { call, people, must } = api;
    const at = (iso: string) => clock.set(iso);
    await launchBoth(api, at);
    const leadOf = { 'pc-1': CODES.lead, 'py-1': partyCode(7002) } as const;
    await projectInPromotion(call, people, 'tz-v', 'pc-1', leadOf['pc-1'], at);
    await projectInPromotion(call, people, 'tz-y', 'py-1', leadOf['py-1'], at);
    clock.set('2019-10-10T02:00:00Z');

    const statuses = new Map<number, number>();
    const post = async (path: string, token: string, body: unknown) => {
      const res = await call('POST', path, { token, body });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      // A rule refusing the step (nothing owed, already reversed, beyond the contract) is part of a random history.
      if (res.status >= 300 && res.status !== 409) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      return res;
    };
    let run = 0;
    let perturbed = 0;
    let paidSeen = 0;

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('pc-1' as const, 'py-1' as const),
        fc.array(op, { minLength: 6, maxLength: 24 }),
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 12, maxLength: 12 }),
        async (projectId, ops, changes) => {
          run += 1;
          const r = `k${run}`;
          const buyer = partyCode(8000 + run);
          const institution = partyCode(9000 + run);
          const contracts = [0, 1].map((c) => `${r}-c${c}`);
          for (const contractId of contracts) {
            await must('POST', `/v1/projects/${projectId}/contracts`, people.alice, {
              contractId, title: `Licence ${contractId}`, transferor: { name: 'Lead', creditCode: leadOf[projectId] }, transferee: { name: 'Buyer', creditCode: buyer }, amount: 1_000_000_000 * YUAN, signedOn: '2019-01-01',
            });
          }
          const payments: string[] = [];
          const transactions: string[] = [];
          const paid: string[] = [];
          let n = 0;
          for (const o of ops) {
            n += 1;
            const pick = <T>(list: readonly T[], i: number): T | undefined => list[i % Math.max(list.length, 1)];
            switch (o.k) {
              case 'pay': {
                const paymentId = `${r}-p${n}`;
                const res = await post(`/v1/projects/${projectId}/contracts/${contracts[o.contract]}/payments`, people.alice, { paymentId, amount: o.amount, bankReference: `B-${paymentId}`, paidOn: `2019-0${1 + (n % 9)}-15` });
                if (res.status < 300) payments.push(paymentId);
                break;
              }
              case 'disburse': {
                const paymentId = pick(payments, o.i);
                if (!paymentId) break;
                const id = `${r}-d${n}`;
                const entitlement = { rule: 'R2', creditCode: buyer, year: 2019, projectId, paymentId };
                if ((await post('/v1/disbursements', people.fay, { disbursementId: id, entitlement, payee: { name: 'Buyer', creditCode: buyer } })).status >= 300) break;
                await post(`/v1/disbursements/${id}/approval`, people.gus, {});
                if ((await post(`/v1/disbursements/${id}/payment`, people.fay, { bankReference: `D-${id}`, paidOn: '2019-10-10' })).status < 300) paid.push(id);
                break;
              }
              case 'refund': {
                const paymentId = pick(payments, o.i);
                if (paymentId) await post(`/v1/projects/${projectId}/payments/${paymentId}/reversal`, people.alice, { reversedOn: '2019-10-10', reason: 'Refunded' });
                break;
              }
              case 'return': {
                const id = pick(paid, o.i);
                if (id) await post(`/v1/disbursements/${id}/reversal`, people.fay, { reversedOn: '2019-10-10', reason: 'Returned by the bank' });
                break;
              }
              case 'finding': {
                const id = pick(paid, o.i);
                if (!id) break;
                const state = (await must('GET', `/v1/disbursements/${id}`, people.fay)).state as { amount: number; clawedBack: number };
                const amount = Math.max(1, Math.floor((state.amount - state.clawedBack) * o.share));
                await post(`/v1/disbursements/${id}/clawbacks`, people.fay, { clawbackId: `${id}-f${n}`, amount, decidedOn: '2019-10-10', reason: 'Finding', basis: 'Audit' });
                break;
              }
              case 'r3': {
                const transactionId = `${r}-t${n}`;
                await post(`/v1/subsidy-ledgers/r3/${institution}/2019/transactions`, people.alice, { programmeId: 'tz-v', transactionId, amount: o.amount, occurredOn: '2019-05-10', inCity: true, description: 'Brokered licence' });
                transactions.push(transactionId);
                break;
              }
              case 'r3disburse': {
                const transactionId = pick(transactions, o.i);
                if (!transactionId) break;
                const id = `${r}-e${n}`;
                const entitlement = { rule: 'R3', creditCode: institution, year: 2019, transactionId };
                if ((await post('/v1/disbursements', people.fay, { disbursementId: id, entitlement, payee: { name: 'Centre', creditCode: institution } })).status >= 300) break;
                await post(`/v1/disbursements/${id}/approval`, people.gus, {});
                if ((await post(`/v1/disbursements/${id}/payment`, people.fay, { bankReference: `D-${id}`, paidOn: '2019-10-10' })).status < 300) paid.push(id);
                break;
              }
              case 'r3reverse': {
                const transactionId = pick(transactions, o.i);
                if (transactionId) await post(`/v1/subsidy-ledgers/r3/${institution}/2019/transactions/${transactionId}/reversal`, people.alice, { reversedOn: '2019-10-10', reason: 'Cancelled' });
                break;
              }
              default: {
                const never: never = o;
                throw new Error(`unknown op ${JSON.stringify(never)}`);
              }
            }
          }
          paidSeen += paid.length;

          const events = await readEverything(system);
          const clean = verifyMoney(events);
          if (clean.failures.length > 0) throw new Error(`run ${run} (${projectId}): a clean history is rejected:\n${clean.failures.join('\n')}`);
          const candidates = events.flatMap((e) => (AMOUNT_FIELDS[e.type] ?? []).map((field) => ({ e, field })));
          for (const [which, up] of changes) {
            const target = candidates[which % candidates.length]!;
            const copy = events.map((e): RecordedEvent => (e === target.e ? { ...e, data: { ...e.data, [target.field]: (e.data[target.field] as number) + (up ? 1 : -1) } } : e));
            const { failures } = verifyMoney(copy);
            if (failures.length === 0) throw new Error(`run ${run}: ${target.e.stream}@${target.e.revision} ${target.e.type}.${target.field} ${up ? '+' : '-'}1 fen is not rejected`);
            perturbed += 1;
          }
        },
      ),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
    t.comment(`answers: ${JSON.stringify(Object.fromEntries(statuses))}; disbursements paid: ${paidSeen}; one-fen changes rejected: ${perturbed}`);
    t.ok(paidSeen > 0, 'money was paid');
    t.ok((statuses.get(409) ?? 0) > 0 && (statuses.get(201) ?? 0) > 0, 'some steps went through, some were refused');
    t.equal(perturbed, RUNS * 12, 'every one-fen change was rejected');
  });
}
