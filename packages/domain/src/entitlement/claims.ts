import { z } from 'zod';
import { assertNever } from '../authorize.js';
import type { EventsOf } from '../decider.js';
import { Id, recorded } from '../values/common.js';
import { PositiveFen } from '../values/fen.js';
import type { Keyed } from '../values/keyed.js';
import { entryOf, withEntry } from '../values/keyed.js';
import type { EntitlementRef } from './entitlement.js';

const EntitlementKey = z.string().min(1).max(140);

/**
 * What is claimed against the entitlements of a stream (the project for R1, a ledger for R2/R3).
 * Each is appended in the same atomic append as the disbursement event it mirrors, so the stream
 * that decides an entitlement also knows, at its own revision, what was requested and paid for it.
 */
export const claimEventSchemas = {
  /** A disbursement was requested for the entitlement: `amount` is what it still owed. */
  EntitlementClaimed: z.strictObject({ ...recorded, entitlement: EntitlementKey, disbursementId: Id, amount: PositiveFen }),
  EntitlementClaimPaid: z.strictObject({ ...recorded, entitlement: EntitlementKey, disbursementId: Id, amount: PositiveFen }),
  /** The claim no longer holds the entitlement: the disbursement was cancelled, or the bank returned it. */
  EntitlementClaimReleased: z.strictObject({
    ...recorded,
    entitlement: EntitlementKey,
    disbursementId: Id,
    reason: z.enum(['cancelled', 'returned']),
  }),
  /**
   * Money paid for the entitlement was clawed back: because the entitlement itself was reduced (a
   * reversal), or on a finding (`clawback`), which forfeits it: it is not owed again.
   */
  EntitlementClaimRecovered: z.strictObject({
    ...recorded,
    entitlement: EntitlementKey,
    disbursementId: Id,
    clawbackId: Id,
    amount: PositiveFen,
    cause: z.enum(['entitlement_reduced', 'clawback']),
  }),
} as const;

export type ClaimEvent = EventsOf<typeof claimEventSchemas>;

export function isClaimEvent(event: { type: string }): event is ClaimEvent {
  return Object.hasOwn(claimEventSchemas, event.type);
}

export interface Claim {
  readonly disbursementId: string;
  readonly amount: number;
  readonly status: 'requested' | 'paid' | 'released';
  /** Clawed back, whatever the cause. */
  readonly recovered: number;
  /** Clawed back because the entitlement was reduced: no longer held against it. */
  readonly reduced: number;
}

/** By entitlement key, each in the order the claims were made. */
export type Claims = Keyed<readonly Claim[]>;

export function claimsOf(claims: Claims, key: string): readonly Claim[] {
  return entryOf(claims, key) ?? [];
}

/** What the live claims hold of the entitlement (a forfeited clawback keeps its hold). */
export function held(list: readonly Claim[]): number {
  return list.filter((c) => c.status !== 'released').reduce((sum, c) => sum + c.amount - c.reduced, 0);
}

/** Paid for the entitlement and not clawed back. */
export function paidNet(list: readonly Claim[]): number {
  return list.filter((c) => c.status === 'paid').reduce((sum, c) => sum + c.amount - c.recovered, 0);
}

function update(claims: Claims, key: string, disbursementId: string, change: (claim: Claim) => Claim): Claims {
  return withEntry(
    claims,
    key,
    claimsOf(claims, key).map((c) => (c.disbursementId === disbursementId ? change(c) : c)),
  );
}

/** Adds a claim (or makes an existing claim of that disbursement requested for `amount`). */
export function withClaim(claims: Claims, key: string, disbursementId: string, amount: number): Claims {
  const list = claimsOf(claims, key);
  if (list.some((c) => c.disbursementId === disbursementId)) return update(claims, key, disbursementId, (c) => ({ ...c, amount, status: 'requested' }));
  return withEntry(claims, key, [...list, { disbursementId, amount, status: 'requested', recovered: 0, reduced: 0 }]);
}

export function evolveClaims(claims: Claims, event: ClaimEvent): Claims {
  const { entitlement: key, disbursementId } = event.data;
  switch (event.type) {
    case 'EntitlementClaimed':
      return withClaim(claims, key, disbursementId, event.data.amount);
    case 'EntitlementClaimPaid':
      return update(claims, key, disbursementId, (c) => ({ ...c, status: 'paid' }));
    case 'EntitlementClaimReleased':
      return update(claims, key, disbursementId, (c) => ({ ...c, status: 'released' }));
    case 'EntitlementClaimRecovered': {
      const { amount, cause } = event.data;
      return update(claims, key, disbursementId, (c) => ({
        ...c,
        recovered: c.recovered + amount,
        reduced: cause === 'entitlement_reduced' ? c.reduced + amount : c.reduced,
      }));
    }
    default:
      return assertNever(event);
  }
}

/** An entitlement as the stream that decides it sees it now. */
export interface EntitlementView {
  readonly ref: EntitlementRef;
  readonly key: string;
  /** Credit code of the enterprise or institution it is owed to. */
  readonly holder: string;
  /** Granted − clawed back by the stream's own reassessments; null: there is no such entitlement. */
  readonly entitled: number | null;
  readonly claims: readonly Claim[];
}

/**
 * Paid for an entitlement beyond what it now entitles: to be clawed back, from the latest paid
 * disbursement first. Empty when nothing is overpaid.
 */
export function overpaid(list: readonly Claim[], entitled: number): { disbursementId: string; amount: number }[] {
  let excess = paidNet(list) - entitled;
  const recoveries: { disbursementId: string; amount: number }[] = [];
  for (const claim of [...list].reverse()) {
    if (excess <= 0) break;
    if (claim.status !== 'paid') continue;
    const amount = Math.min(excess, claim.amount - claim.recovered);
    if (amount > 0) recoveries.push({ disbursementId: claim.disbursementId, amount });
    excess -= amount;
  }
  return recoveries;
}

/**
 * Spreads a reduction of a ledger's entitlement over its entries: first the entry whose reversal
 * caused it, then the others from the latest back, none below zero. The ledger's entitlement is
 * the sum of its entries', before and after.
 */
export function spreadReduction<E extends { readonly entitlement: number }>(entries: readonly E[], causeIndex: number, amount: number): E[] {
  let left = amount;
  const take = (entry: E): E => {
    const cut = Math.min(left, entry.entitlement);
    left -= cut;
    return cut === 0 ? entry : { ...entry, entitlement: entry.entitlement - cut };
  };
  const result = [...entries];
  const order = [causeIndex, ...entries.map((_, i) => entries.length - 1 - i).filter((i) => i !== causeIndex)];
  for (const i of order) {
    const entry = result[i];
    if (entry !== undefined && left > 0) result[i] = take(entry);
  }
  return result;
}
