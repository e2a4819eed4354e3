import {
  decideDisbursement,
  disbursement,
  entitlementStream,
  project,
  r1EntitlementView,
  r2EntitlementView,
  r2EntitlementViews,
  r2Ledger,
  r3EntitlementView,
  r3EntitlementViews,
  r3Ledger,
  reclaimOverpaid,
  type DisbursementCommand,
  type DisbursementState,
  type EntitlementRef,
  type EntitlementView,
  type ProjectState,
  type R2LedgerState,
  type R3LedgerState,
} from '@gongguan/domain';
import { on, onBankReference, onDisbursement } from './commands.js';
import { bankReferenceFor, financeTeam, happened, later, type StoryContext } from './context.js';
import type { World } from './world.js';

export interface Payout {
  disbursementId: string;
  /** The entitlement it pays; the amount is what that still owes. */
  entitlement: EntitlementRef;
  payee: { name: string; creditCode: string };
  requestedOn: string;
}

type Evolving = { evolve(state: unknown, event: { type: string; data: unknown }): unknown; initialState: unknown };

function entitlementOf(ref: EntitlementRef): { decider: Evolving; view(state: unknown): EntitlementView } {
  switch (ref.rule) {
    case 'R1':
      return { decider: project.decider as unknown as Evolving, view: (s) => r1EntitlementView({ ...(s as ProjectState), projectId: ref.projectId }) };
    case 'R2':
      return { decider: r2Ledger.decider as unknown as Evolving, view: (s) => r2EntitlementView(s as R2LedgerState, ref) };
    case 'R3':
      return { decider: r3Ledger.decider as unknown as Evolving, view: (s) => r3EntitlementView(s as R3LedgerState, ref) };
    default: {
      const never: never = ref;
      throw new Error(`unknown entitlement ${JSON.stringify(never)}`);
    }
  }
}

/** A disbursement command decided on the disbursement and the entitlement it pays, as the lifecycle API does. */
export function onPayout(world: World, disbursementId: string, ref: EntitlementRef, type: DisbursementCommand['type'], data: unknown, actor: DisbursementCommand['actor'], date: string): void {
  const entitlement = entitlementOf(ref);
  const command = { type, data, actor, at: on(date) } as DisbursementCommand;
  const refused = world.execAcross(
    [
      { decider: disbursement.decider as unknown as Evolving, stream: disbursement.streamName(disbursementId) },
      { decider: entitlement.decider, stream: entitlementStream(ref) },
    ],
    ([d, e]) => {
      const decided = decideDisbursement(command, d as DisbursementState, entitlement.view(e));
      return [decided.disbursement, decided.entitlement];
    },
    actor,
    date,
  );
  if (refused !== undefined) throw new Error(`generator bug: ${type} of ${disbursementId} refused with ${refused}`);
}

/**
 * A payment of public money as the finance bureau makes it: requested for an entitlement,
 * approved by a second person, the bank reference claimed and the payment recorded by a third.
 * Stops where "today" is. Returns the day it was paid, or null when it has not been (yet).
 */
export function pay(ctx: StoryContext, payout: Payout): string | null {
  const { world } = ctx;
  if (!happened(ctx, payout.requestedOn)) return null;
  const [requester, approver, recorder] = financeTeam(ctx);
  const { requestedOn, disbursementId, entitlement, payee } = payout;
  onPayout(world, disbursementId, entitlement, 'RequestDisbursement', { disbursementId, entitlement, payee }, requester, requestedOn);
  const approvedOn = later(ctx, requestedOn, 1, 6);
  if (!happened(ctx, approvedOn)) return null;
  if (ctx.random.chance(0.02)) {
    onPayout(world, disbursementId, entitlement, 'CancelDisbursement', { reason: '资料不全，撤回申请' }, approver, approvedOn);
    return null;
  }
  onDisbursement(world, disbursementId, 'ApproveDisbursement', {}, approver, approvedOn);
  const paidOn = later(ctx, approvedOn, 1, 10);
  if (!happened(ctx, paidOn)) return null;
  const reference = bankReferenceFor(ctx, ctx.random.pick(['ICBC', 'ABC', 'BOC', 'CCB', 'TZBANK']), paidOn);
  onBankReference(world, reference, 'ClaimBankReference', { bankReference: reference, claimant: { kind: 'disbursement', id: disbursementId } }, recorder, paidOn);
  onPayout(world, disbursementId, entitlement, 'RecordDisbursementPayment', { bankReference: reference, paidOn }, recorder, paidOn);
  return paidOn;
}

/**
 * After a reversal reduced a ledger's entitlements: claws back from the disbursements that paid
 * them what exceeds them now (the lifecycle API appends this with the reversal, atomically).
 */
export function reclaim(ctx: StoryContext, ledgerStream: string, rule: 'R2' | 'R3', date: string, reason: string): void {
  const ledger = ctx.world.state<R2LedgerState | R3LedgerState>(ledgerStream);
  if (ledger === undefined) return;
  const views = rule === 'R2' ? r2EntitlementViews(ledger as R2LedgerState) : r3EntitlementViews(ledger as R3LedgerState);
  const [officer] = financeTeam(ctx);
  for (const view of views) {
    const ids = view.claims.filter((c) => c.status === 'paid').map((c) => c.disbursementId);
    const states = new Map(ids.map((id) => [id, ctx.world.state<DisbursementState>(disbursement.streamName(id)) ?? disbursement.decider.initialState]));
    const decided = reclaimOverpaid(view, states, { by: officer, at: on(date), clawbackId: `cb-${date}`, decidedOn: date, reason });
    if (decided.entitlement.length === 0) continue;
    const ledgerDecider = (rule === 'R2' ? r2Ledger.decider : r3Ledger.decider) as unknown as Evolving;
    ctx.world.execAcross(
      [{ decider: ledgerDecider, stream: ledgerStream }, ...decided.disbursements.map((d) => ({ decider: disbursement.decider as unknown as Evolving, stream: disbursement.streamName(d.disbursementId) }))],
      () => [decided.entitlement, ...decided.disbursements.map((d) => d.events)],
      officer,
      date,
    );
  }
}
