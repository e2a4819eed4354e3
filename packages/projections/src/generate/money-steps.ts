import type { DisbursementState, RuleKind } from '@gongguan/domain';
import { onBankReference, onDisbursement } from './commands.js';
import { bankReferenceFor, financeTeam, happened, later, type StoryContext } from './context.js';

export interface Payout {
  disbursementId: string;
  rule: RuleKind;
  payee: { name: string; creditCode: string };
  amount: number;
  projectId?: string;
  basis: string;
  requestedOn: string;
}

/**
 * A payment of public money as the finance bureau makes it: requested, approved by a second
 * person, the bank reference claimed and the payment recorded by a third. Stops where "today" is.
 * Returns the day it was paid, or null when it has not been (yet).
 */
export function pay(ctx: StoryContext, payout: Payout): string | null {
  const { world } = ctx;
  if (!happened(ctx, payout.requestedOn)) return null;
  const [requester, approver, recorder] = financeTeam(ctx);
  const { requestedOn, disbursementId, ...request } = payout;
  onDisbursement(world, disbursementId, 'RequestDisbursement', { disbursementId, ...request }, requester, requestedOn);
  const approvedOn = later(ctx, requestedOn, 1, 6);
  if (!happened(ctx, approvedOn)) return null;
  if (ctx.random.chance(0.02)) {
    onDisbursement(world, disbursementId, 'CancelDisbursement', { reason: '资料不全，撤回申请' }, approver, approvedOn);
    return null;
  }
  onDisbursement(world, disbursementId, 'ApproveDisbursement', {}, approver, approvedOn);
  const paidOn = later(ctx, approvedOn, 1, 10);
  if (!happened(ctx, paidOn)) return null;
  const reference = bankReferenceFor(ctx, ctx.random.pick(['ICBC', 'ABC', 'BOC', 'CCB', 'TZBANK']), paidOn);
  onBankReference(world, reference, 'ClaimBankReference', { bankReference: reference, claimant: { kind: 'disbursement', id: disbursementId } }, recorder, paidOn);
  onDisbursement(world, disbursementId, 'RecordDisbursementPayment', { bankReference: reference, paidOn }, recorder, paidOn);
  return paidOn;
}

/** Recovers up to `amount` from a paid disbursement (an R2 clawback after a refund). */
export function clawBack(ctx: StoryContext, disbursementId: string, amount: number, date: string, basis: string): void {
  const state = ctx.world.state<DisbursementState>(`disbursement-${disbursementId}`);
  if (state === undefined || state.status !== 'paid' || amount <= 0) return;
  const take = Math.min(amount, state.amount - state.clawedBack);
  if (take <= 0) return;
  const [officer] = financeTeam(ctx);
  onDisbursement(ctx.world, disbursementId, 'ClawBackDisbursement', { clawbackId: `cb-${disbursementId}-${date}`, amount: take, decidedOn: date, reason: '合同款退回，追回补助', basis }, officer, date);
}
