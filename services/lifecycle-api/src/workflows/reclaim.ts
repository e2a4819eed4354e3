import { reclaimOverpaid, type Actor, type Claims, type DisbursementState, type EntitlementView } from '@gongguan/domain';
import type { StepResult, CommandContext } from '../commands/execute.js';
import { executeAcross, type AcrossOptions, type AcrossPart, type DecidedEvent } from '../commands/execute-payout.js';
import { disbursementPart } from '../commands/entitlements.js';
import { readAggregate } from '../commands/load.js';

/** Every disbursement with a paid claim on one of these entitlements: those a reduction may claw back from. */
export function paidClaimants(claims: Claims): string[] {
  return [...new Set(Object.values(claims).flatMap((list) => list.filter((c) => c.status === 'paid').map((c) => c.disbursementId)))];
}

export interface ReductionOptions extends Omit<AcrossOptions, 'decide'> {
  /** What the first part (the ledger) records claims in. */
  claimsOf(ledgerState: unknown): Claims;
  /** Decides the fixed parts; returns their events and the ledger's state after its own events. */
  decide(command: { actor: Actor; at: string }, states: readonly unknown[]): { events: DecidedEvent[][]; ledgerAfter: unknown };
  /** The entitlements of the ledger after the decision (each is checked for being overpaid). */
  views(ledgerAfter: unknown): EntitlementView[];
  reclaim: { clawbackId: string; decidedOn: string; reason: string };
}

class ClaimantsMoved extends Error {}

/**
 * A decision that may reduce entitlements (a reversal), taken with what it claws back, in one
 * atomic append: the ledger's events, the EntitlementClaimRecovered of every overpaid claim, and a
 * DisbursementClawedBack on each disbursement that paid it, each stream with its expected
 * revision. So paid − clawed back never stays above an entitlement, not even for a moment.
 */
export async function decideWithReclaims(ctx: CommandContext, options: ReductionOptions): Promise<StepResult[]> {
  const [ledgerPart] = options.parts;
  if (ledgerPart === undefined) throw new Error('a reduction needs its ledger as the first part');
  for (let attempt = 1; attempt <= 5; attempt++) {
    const ledger = await readAggregate(ctx.store, ledgerPart.aggregate, ledgerPart.stream);
    const claimants = paidClaimants(options.claimsOf(ledger.state));
    const parts: AcrossPart[] = [...options.parts, ...claimants.map(disbursementPart)];
    try {
      const steps = await executeAcross(ctx, {
        ...options,
        parts,
        decide(command, states) {
          const fixed = states.slice(0, options.parts.length);
          const { events, ledgerAfter } = options.decide(command, fixed);
          const known = new Map(claimants.map((id, i) => [id, states[options.parts.length + i] as DisbursementState]));
          if (paidClaimants(options.claimsOf(ledgerAfter)).some((id) => !known.has(id))) throw new ClaimantsMoved();
          const clawed = new Map<string, DecidedEvent[]>();
          const ledgerEvents = [...(events[0] ?? [])];
          for (const view of options.views(ledgerAfter)) {
            const reclaim = reclaimOverpaid(view, known, { by: command.actor, at: command.at, ...options.reclaim });
            ledgerEvents.push(...reclaim.entitlement);
            for (const { disbursementId, events: d } of reclaim.disbursements) clawed.set(disbursementId, [...(clawed.get(disbursementId) ?? []), ...d]);
          }
          return [ledgerEvents, ...events.slice(1), ...claimants.map((id) => clawed.get(id) ?? [])];
        },
      });
      // The disbursements left untouched were only guarded (their revisions checked): not written.
      return steps.filter((step, i) => i < options.parts.length || step.events.length > 0);
    } catch (err) {
      if (!(err instanceof ClaimantsMoved)) throw err;
    }
  }
  throw new Error(`${ledgerPart.stream} kept gaining paid claims while deciding ${options.type}`);
}
