import type { R2Policy, R3Policy } from '../policy.js';
import { applyRateFloor } from '../values/fen.js';

/** One bank payment on a conversion contract, as the enterprise-year ledger sees it. */
export interface R2Entry {
  readonly paymentId: string;
  readonly projectId: string;
  readonly contractId: string;
  readonly amount: number;
  readonly reversed: boolean;
}

export interface R2ContractShare {
  /** `<projectId>/<contractId>`: contract ids are only unique within a project. */
  readonly contractKey: string;
  /** Bank-paid in the year on this contract, net of reversals. */
  readonly paid: number;
  readonly qualifies: boolean;
  /** rate × paid, rounded down, before the cap. */
  readonly subsidy: number;
  /** What the cap leaves for it, contracts taken in the order they qualified. */
  readonly allocated: number;
}

export interface R2Assessment {
  readonly uncapped: number;
  readonly entitlement: number;
  /** Per contract (per_contract mode); empty in per_year mode, where only the year's total counts. */
  readonly contracts: readonly R2ContractShare[];
}

/**
 * The R2 conversion subsidy an enterprise is entitled to for one calendar year of bank payments,
 * recomputed from the payments themselves (so a reversal is simply a payment that no longer counts):
 *
 * - per_contract: a contract earns rate × its bank-paid amount in the year, rounded down to the
 *   fen, when that amount reaches the threshold; the year's total is capped, contracts taking the
 *   cap in the order they qualified. Nothing over the cap is paid or carried forward.
 * - per_year: the year's bank-paid total must reach the threshold; rate × total, rounded down, capped.
 *
 * Rounding is applied once per contract (or once per year), not per payment, so splitting a
 * contract's payment in instalments never loses a fen.
 */
export function assessR2(entries: readonly R2Entry[], policy: R2Policy): R2Assessment {
  const live = entries.filter((entry) => !entry.reversed);
  if (policy.r2ThresholdMode === 'per_year') {
    const total = live.reduce((sum, entry) => sum + entry.amount, 0);
    const uncapped = total >= policy.r2Threshold ? applyRateFloor(total, policy.r2RateBps) : 0;
    return { uncapped, entitlement: Math.min(uncapped, policy.r2AnnualCap), contracts: [] };
  }

  const paid = new Map<string, number>();
  const qualifiedAt = new Map<string, number>();
  live.forEach((entry, index) => {
    const key = `${entry.projectId}/${entry.contractId}`;
    const total = (paid.get(key) ?? 0) + entry.amount;
    paid.set(key, total);
    if (total >= policy.r2Threshold && !qualifiedAt.has(key)) qualifiedAt.set(key, index);
  });

  let remaining = policy.r2AnnualCap;
  let uncapped = 0;
  const order = [...paid.keys()].sort((a, b) => (qualifiedAt.get(a) ?? Infinity) - (qualifiedAt.get(b) ?? Infinity));
  const contracts = order.map((contractKey): R2ContractShare => {
    const amount = paid.get(contractKey) ?? 0;
    const qualifies = qualifiedAt.has(contractKey);
    const subsidy = qualifies ? applyRateFloor(amount, policy.r2RateBps) : 0;
    const allocated = Math.min(subsidy, remaining);
    remaining -= allocated;
    uncapped += subsidy;
    return { contractKey, paid: amount, qualifies, subsidy, allocated };
  });
  return { uncapped, entitlement: policy.r2AnnualCap - remaining, contracts };
}

export interface R3Entry {
  readonly transactionId: string;
  readonly amount: number;
  readonly reversed: boolean;
}

/** R3 transfer-service subsidy: rate × the institution's in-city volume in the year, rounded down, capped. */
export function assessR3(entries: readonly R3Entry[], policy: R3Policy): { uncapped: number; entitlement: number } {
  const volume = entries.filter((entry) => !entry.reversed).reduce((sum, entry) => sum + entry.amount, 0);
  const uncapped = applyRateFloor(volume, policy.r3RateBps);
  return { uncapped, entitlement: Math.min(uncapped, policy.r3AnnualCap) };
}
