import fc from 'fast-check';
import t from 'tap';
import type { R2Policy } from '../../src/policy.js';
import { taizhouPolicy } from '../../src/policy.js';
import type { R2LedgerCommand, R2LedgerEvent } from '../../src/subsidy/r2-ledger.js';
import { r2LedgerDecider } from '../../src/subsidy/r2-ledger.js';
import type { R2Entry } from '../../src/subsidy/r2-rules.js';
import { assessR2 } from '../../src/subsidy/r2-rules.js';
import { codes, finance, on } from '../fixtures/fixtures.js';

const taizhouR2: R2Policy = {
  r2RateBps: taizhouPolicy.r2RateBps,
  r2Threshold: taizhouPolicy.r2Threshold,
  r2AnnualCap: taizhouPolicy.r2AnnualCap,
  r2ThresholdMode: 'per_contract',
};

const payment = fc.record({
  contract: fc.integer({ min: 0, max: 7 }),
  // up to 5,000,000 yuan per payment, often around the 1,000,000-yuan threshold
  amount: fc.oneof(fc.integer({ min: 1, max: 500_000_000 }), fc.integer({ min: 99_999_000, max: 100_001_000 })),
  reverseLater: fc.boolean(),
});
const policyArb = fc.record({
  r2RateBps: fc.integer({ min: 0, max: 10_000 }),
  r2Threshold: fc.integer({ min: 0, max: 200_000_000 }),
  r2AnnualCap: fc.integer({ min: 0, max: 200_000_000 }),
  r2ThresholdMode: fc.constantFrom('per_contract' as const, 'per_year' as const),
});
const scenario = fc.record({ payments: fc.array(payment, { maxLength: 25 }), policy: fc.oneof(fc.constant(taizhouR2), policyArb) });

function entriesOf(payments: { contract: number; amount: number }[]): R2Entry[] {
  return payments.map((p, i) => ({ paymentId: `pay${i}`, projectId: 'p1', contractId: `c${p.contract}`, amount: p.amount, reversed: false }));
}

/** The rule written independently, in BigInt: the capped sum of rate × each qualifying contract (or the year). */
function reference(entries: R2Entry[], policy: R2Policy): number {
  const live = entries.filter((e) => !e.reversed);
  const rate = (amount: bigint) => (amount * BigInt(policy.r2RateBps)) / 10_000n;
  let sum = 0n;
  if (policy.r2ThresholdMode === 'per_year') {
    const total = live.reduce((s, e) => s + BigInt(e.amount), 0n);
    sum = total >= BigInt(policy.r2Threshold) ? rate(total) : 0n;
  } else {
    const totals = new Map<string, bigint>();
    for (const e of live) totals.set(e.contractId, (totals.get(e.contractId) ?? 0n) + BigInt(e.amount));
    for (const total of totals.values()) if (total >= BigInt(policy.r2Threshold)) sum += rate(total);
  }
  return Number(sum < BigInt(policy.r2AnnualCap) ? sum : BigInt(policy.r2AnnualCap));
}

t.test('the year total never exceeds the cap and equals the capped sum of qualifying contracts', async (t) => {
  fc.assert(
    fc.property(scenario, ({ payments, policy }) => {
      const entries = entriesOf(payments);
      const result = assessR2(entries, policy);
      if (result.entitlement > policy.r2AnnualCap || result.entitlement < 0) return false;
      if (result.entitlement !== reference(entries, policy)) return false;
      if (policy.r2ThresholdMode === 'per_contract') {
        // in payment order: a contract gets nothing until every contract that qualified before it is paid in full
        let short = false;
        for (const share of result.contracts) {
          if (short && share.allocated > 0) return false;
          if (share.allocated < share.subsidy) short = true;
        }
        if (result.contracts.reduce((s, c) => s + c.allocated, 0) !== result.entitlement) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
  t.pass('held for 500 scenarios');
});

function run(payments: { contract: number; amount: number; reverseLater: boolean }[], policy: R2Policy): R2LedgerEvent[] {
  const commands: R2LedgerCommand[] = [
    ...payments.map(
      (p, i): R2LedgerCommand => ({
        type: 'AssessR2Payment',
        actor: finance,
        at: on('2019-10-09'),
        data: {
          bureauCode: '331000',
          creditCode: codes.lead,
          year: 2019,
          policy,
          paymentId: `pay${i}`,
          projectId: 'p1',
          contractId: `c${p.contract}`,
          amount: p.amount,
          paidOn: '2019-10-08',
          bankReference: `REF-${i}`,
        },
      }),
    ),
    ...payments.flatMap((p, i): R2LedgerCommand[] =>
      p.reverseLater ? [{ type: 'AssessR2Reversal', actor: finance, at: on('2019-12-01'), data: { projectId: 'p1', paymentId: `pay${i}`, reversedOn: '2019-12-01', reason: 'refund' } }] : [],
    ),
  ];
  let state = r2LedgerDecider.initialState;
  const events: R2LedgerEvent[] = [];
  for (const command of commands) {
    const produced = r2LedgerDecider.decide(command, state);
    state = produced.reduce(r2LedgerDecider.evolve, state);
    events.push(...produced);
  }
  return events;
}

t.test('through the ledger: reversals never go negative; grants minus clawbacks equal the entitlement', async (t) => {
  fc.assert(
    fc.property(scenario, ({ payments, policy }) => {
      const events = run(payments, policy);
      let granted = 0;
      let clawedBack = 0;
      for (const event of events) {
        if (event.type === 'R2PaymentAssessed') {
          if (event.data.subsidyGranted < 0 || event.data.entitlementAfter > policy.r2AnnualCap) return false;
          granted += event.data.subsidyGranted;
        }
        if (event.type === 'R2ReversalAssessed') {
          if (event.data.clawback < 0 || event.data.entitlementAfter < 0) return false;
          clawedBack += event.data.clawback;
        }
      }
      const state = events.reduce(r2LedgerDecider.evolve, r2LedgerDecider.initialState);
      const finalEntries = entriesOf(payments).map((e, i) => ({ ...e, reversed: payments[i]?.reverseLater ?? false }));
      return granted - clawedBack === state.entitlement && state.entitlement === reference(finalEntries, policy);
    }),
    { numRuns: 300 },
  );
  t.pass('held for 300 scenarios');
});
