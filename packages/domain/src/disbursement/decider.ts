import { assertNever, assertRole } from '../authorize.js';
import type { Decider } from '../decider.js';
import type { ClaimEvent, EntitlementView } from '../entitlement/claims.js';
import { held, paidNet } from '../entitlement/claims.js';
import { describeEntitlement, type EntitlementRef } from '../entitlement/entitlement.js';
import { domainError } from '../errors.js';
import { formatYuan } from '../values/fen.js';
import { isRepeatOf, requireEvidenceRole, type EvidenceRecord } from '../evidence/evidence.js';
import { entryOf, withEntry } from '../values/keyed.js';
import type { Corrects } from '../values/corrects.js';
import type { DisbursementCommand, DisbursementCorrection, DisbursementEvent, RecordedDisbursementCorrection, RuleKind } from './disbursement.js';
import { disbursementCommandRoles } from './disbursement.js';

export interface DisbursementState {
  readonly status: 'none' | 'requested' | 'approved' | 'paid' | 'cancelled' | 'reversed';
  readonly disbursementId: string;
  readonly rule: RuleKind | null;
  /** The entitlement it pays; null for a legacy (v1) disbursement with a free-text basis. */
  readonly entitlement: EntitlementRef | null;
  readonly amount: number;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly bankReference: string | null;
  readonly clawedBack: number;
  readonly clawbackIds: readonly string[];
  /** Evidence files attached (issue 19), by evidence id; `attachedTo` is the disbursement itself. */
  readonly evidence: Readonly<Record<string, EvidenceRecord>>;
  /** Corrections by id: pending until a second finance officer approves (or anyone rejects) them. */
  readonly corrections: Readonly<Record<string, DisbursementCorrectionState>>;
}

export interface DisbursementCorrectionState {
  readonly correction: RecordedDisbursementCorrection;
  readonly reason: string;
  readonly corrects: Corrects;
  readonly requestedBy: string;
  readonly status: 'pending' | 'approved' | 'rejected';
}

export const initialDisbursementState: DisbursementState = {
  status: 'none',
  disbursementId: '',
  rule: null,
  entitlement: null,
  amount: 0,
  requestedBy: '',
  approvedBy: '',
  bankReference: null,
  clawedBack: 0,
  clawbackIds: [],
  evidence: {},
  corrections: {},
};

/** What one disbursement command decides: events for the disbursement stream and for its entitlement's stream. */
export interface PayoutDecision {
  readonly disbursement: DisbursementEvent[];
  readonly entitlement: ClaimEvent[];
}

function requireStatus(state: DisbursementState, allowed: readonly DisbursementState['status'][], action: string): void {
  if (!allowed.includes(state.status)) {
    throw domainError('INVALID_STATE', `disbursement ${state.disbursementId} is ${state.status}; it cannot ${action}`, { status: state.status });
  }
}

/** The entitlement a command must be decided with; a missing one is a wiring bug, not a refusal. */
function requireView(view: EntitlementView | null, state: DisbursementState, action: string): EntitlementView {
  if (view === null) throw new Error(`disbursement ${state.disbursementId || '(new)'} must ${action} together with its entitlement's stream`);
  return view;
}

function only(disbursement: DisbursementEvent[]): PayoutDecision {
  return { disbursement, entitlement: [] };
}

/** Checks a correction against the disbursement as it is now; records it with the value it replaces. */
function assessCorrection(state: DisbursementState, correction: DisbursementCorrection, correctionId: string): RecordedDisbursementCorrection {
  requireStatus(state, ['paid'], 'be corrected');
  switch (correction.kind) {
    case 'bank_reference':
      if (state.bankReference === correction.bankReference) {
        throw domainError('NOTHING_TO_CORRECT', `银行流水号 ${correction.bankReference} 与原值相同，无需更正 (the corrected reference equals the recorded one)`);
      }
      return { ...correction, previousBankReference: state.bankReference ?? correction.bankReference };
    case 'clawback': {
      if (state.clawbackIds.includes(correction.clawbackId)) {
        throw domainError('ALREADY_EXISTS', `追回 ${correction.clawbackId} 已记录 (clawback ${correction.clawbackId} of correction ${correctionId} is already recorded)`);
      }
      const remaining = state.amount - state.clawedBack;
      if (correction.amount > remaining) {
        throw domainError(
          'CLAWBACK_EXCEEDS_PAID',
          `拨付 ${state.disbursementId} 支付 ${formatYuan(state.amount)}，可追回 ${formatYuan(remaining)}，不能追回 ${formatYuan(correction.amount)} (a clawback cannot exceed what remains paid)`,
        );
      }
      return correction;
    }
    default:
      return assertNever(correction);
  }
}

function pendingCorrection(state: DisbursementState, correctionId: string): DisbursementCorrectionState {
  const correction = entryOf(state.corrections, correctionId);
  if (correction === undefined) {
    throw domainError('CORRECTION_NOT_FOUND', `拨付 ${state.disbursementId} 没有更正申请 ${correctionId} (no such correction)`);
  }
  if (correction.status !== 'pending') {
    throw domainError('CORRECTION_NOT_PENDING', `更正申请 ${correctionId} 已${correction.status === 'approved' ? '批准' : '驳回'} (the correction was already ${correction.status})`, { status: correction.status });
  }
  return correction;
}

function requested(correction: RecordedDisbursementCorrection): DisbursementCorrection {
  return correction.kind === 'bank_reference' ? { kind: 'bank_reference', bankReference: correction.bankReference } : correction;
}

/**
 * Decides a disbursement command on the disbursement's state and, for every command that moves
 * money, on the state of the entitlement it pays (`view`, from the entitlement's own stream). The
 * two lists are appended in one atomic append, each stream with its expected revision, so two
 * requests (or two payments) racing for the same entitlement cannot both be written.
 * `view` may be null for what touches the disbursement alone (approval) and for legacy (v1)
 * disbursements that name no entitlement.
 */
export function decideDisbursement(command: DisbursementCommand, state: DisbursementState, view: EntitlementView | null): PayoutDecision {
  assertRole(command.type, command.actor, disbursementCommandRoles[command.type]);
  const actorId = command.actor.id;
  const base = { by: command.actor, at: command.at };
  if (command.type === 'RequestDisbursement') {
    if (state.status !== 'none') throw domainError('ALREADY_EXISTS', `disbursement ${state.disbursementId} has already been requested`);
    const { disbursementId, entitlement: ref, payee } = command.data;
    const entitlement = requireView(view, state, 'be requested');
    const named = describeEntitlement(ref);
    if (entitlement.entitled === null) throw domainError('ENTITLEMENT_NOT_FOUND', `there is no ${ref.rule} entitlement ${named}`);
    if (payee.creditCode !== entitlement.holder) {
      throw domainError('PAYEE_MISMATCH', `${named} is owed to ${entitlement.holder}, not to ${payee.creditCode}`, { holder: entitlement.holder });
    }
    const owed = entitlement.entitled - held(entitlement.claims);
    if (owed <= 0) {
      throw domainError('ENTITLEMENT_SETTLED', `${named} owes nothing more: ${formatYuan(entitlement.entitled)} entitled, all of it already requested or paid`, {
        entitled: entitlement.entitled,
      });
    }
    return {
      disbursement: [
        {
          type: 'DisbursementRequested',
          data: {
            ...base,
            disbursementId,
            rule: ref.rule,
            entitlement: ref,
            payee,
            amount: owed,
            ...(ref.rule === 'R3' ? {} : { projectId: ref.projectId }),
            basis: named,
            requestedBy: actorId,
          },
        },
      ],
      entitlement: [{ type: 'EntitlementClaimed', data: { ...base, entitlement: entitlement.key, disbursementId, amount: owed } }],
    };
  }
  if (state.status === 'none') throw domainError('DISBURSEMENT_NOT_FOUND', 'this disbursement has not been requested');
  if (command.type === 'AttachDisbursementEvidence') {
    // In every status, cancelled and reversed too: a document records what happened.
    requireEvidenceRole('disbursement', command.actor.role);
    const existing = entryOf(state.evidence, command.data.evidenceId);
    if (isRepeatOf(existing, command.data, `disbursement ${state.disbursementId}`, command.data.evidenceId)) return only([]);
    return only([{ type: 'DisbursementEvidenceAttached', data: { ...base, disbursementId: state.disbursementId, ...command.data } }]);
  }
  const recorded = { ...base, disbursementId: state.disbursementId };
  const linked = state.entitlement !== null;
  const claimOf = (entitlement: EntitlementView) => ({ ...base, entitlement: entitlement.key, disbursementId: state.disbursementId });

  switch (command.type) {
    case 'ApproveDisbursement':
      requireStatus(state, ['requested'], 'be approved');
      if (actorId === state.requestedBy) {
        throw domainError('FOUR_EYES_VIOLATION', `${actorId} requested disbursement ${state.disbursementId} and cannot also approve it`);
      }
      return only([{ type: 'DisbursementApproved', data: { ...recorded, approvedBy: actorId, ...command.data } }]);

    case 'CancelDisbursement': {
      requireStatus(state, ['requested', 'approved'], 'be cancelled');
      const cancelled: DisbursementEvent = { type: 'DisbursementCancelled', data: { ...recorded, ...command.data } };
      if (!linked) return only([cancelled]);
      const entitlement = requireView(view, state, 'be cancelled');
      return { disbursement: [cancelled], entitlement: [{ type: 'EntitlementClaimReleased', data: { ...claimOf(entitlement), reason: 'cancelled' } }] };
    }

    case 'RecordDisbursementPayment': {
      requireStatus(state, ['approved'], 'be paid');
      if (actorId === state.approvedBy) {
        throw domainError('FOUR_EYES_VIOLATION', `${actorId} approved disbursement ${state.disbursementId} and cannot also record its payment evidence`);
      }
      const paid: DisbursementEvent = { type: 'DisbursementPaid', data: { ...recorded, amount: state.amount, ...command.data, recordedBy: actorId } };
      if (!linked) return only([paid]);
      const entitlement = requireView(view, state, 'be paid');
      const claim = entitlement.claims.find((c) => c.disbursementId === state.disbursementId);
      if (claim === undefined || claim.status !== 'requested') {
        throw new Error(`${entitlement.key} holds no open claim of disbursement ${state.disbursementId}`);
      }
      const alreadyPaid = paidNet(entitlement.claims);
      const entitled = entitlement.entitled ?? 0;
      if (alreadyPaid + state.amount > entitled) {
        throw domainError(
          'ENTITLEMENT_REDUCED',
          `${describeEntitlement(entitlement.ref)} now entitles ${formatYuan(entitled)}, of which ${formatYuan(alreadyPaid)} is paid; ${formatYuan(state.amount)} more is too much: cancel and request again`,
          { entitled, paid: alreadyPaid },
        );
      }
      return { disbursement: [paid], entitlement: [{ type: 'EntitlementClaimPaid', data: { ...claimOf(entitlement), amount: state.amount } }] };
    }

    case 'ReverseDisbursement': {
      requireStatus(state, ['paid'], 'be reversed');
      if (state.clawedBack > 0) {
        throw domainError('CLAWBACK_EXCEEDS_PAID', `disbursement ${state.disbursementId} has clawbacks; reverse only what remains by a clawback`);
      }
      const reversed: DisbursementEvent = {
        type: 'DisbursementReversed',
        data: { ...recorded, amount: state.amount, originalBankReference: state.bankReference ?? '', ...command.data },
      };
      if (!linked) return only([reversed]);
      const entitlement = requireView(view, state, 'be reversed');
      return { disbursement: [reversed], entitlement: [{ type: 'EntitlementClaimReleased', data: { ...claimOf(entitlement), reason: 'returned' } }] };
    }

    case 'ClawBackDisbursement': {
      requireStatus(state, ['paid'], 'be clawed back');
      if (state.clawbackIds.includes(command.data.clawbackId)) return only([]);
      const remaining = state.amount - state.clawedBack;
      if (command.data.amount > remaining) {
        throw domainError(
          'CLAWBACK_EXCEEDS_PAID',
          `disbursement ${state.disbursementId} paid ${formatYuan(state.amount)}, of which ${formatYuan(remaining)} is left to claw back; ${formatYuan(command.data.amount)} is too much`,
        );
      }
      const clawed: DisbursementEvent = {
        type: 'DisbursementClawedBack',
        data: { ...recorded, originalBankReference: state.bankReference ?? '', ...command.data },
      };
      if (!linked) return only([clawed]);
      const entitlement = requireView(view, state, 'be clawed back');
      return {
        disbursement: [clawed],
        entitlement: [
          { type: 'EntitlementClaimRecovered', data: { ...claimOf(entitlement), clawbackId: command.data.clawbackId, amount: command.data.amount, cause: 'clawback' } },
        ],
      };
    }

    case 'RequestDisbursementCorrection': {
      const { correctionId, correction, reason, corrects } = command.data;
      if (entryOf(state.corrections, correctionId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `拨付 ${state.disbursementId} 已有更正申请 ${correctionId} (the correction id is taken)`);
      }
      const assessed = assessCorrection(state, correction, correctionId);
      return only([{ type: 'DisbursementCorrectionRequested', data: { ...recorded, correctionId, correction: assessed, reason, corrects, requestedBy: actorId } }]);
    }

    case 'ApproveDisbursementCorrection': {
      const { correctionId, comment } = command.data;
      const pending = pendingCorrection(state, correctionId);
      if (actorId === pending.requestedBy) {
        throw domainError('FOUR_EYES_VIOLATION', `${actorId} 申请了更正 ${correctionId}，不能自己批准 (the requester of a money correction cannot approve it)`, { actor: actorId });
      }
      // Checked again on the disbursement as it is now (a clawback since, another correction).
      const correction = assessCorrection(state, requested(pending.correction), correctionId);
      const approved: DisbursementEvent = {
        type: 'DisbursementCorrectionApproved',
        data: { ...recorded, correctionId, correction, reason: pending.reason, corrects: pending.corrects, requestedBy: pending.requestedBy, approvedBy: actorId, ...(comment === undefined ? {} : { comment }) },
      };
      if (correction.kind === 'bank_reference') return only([approved]);
      const { clawbackId, amount, decidedOn, basis } = correction;
      const clawed: DisbursementEvent = {
        type: 'DisbursementClawedBack',
        data: { ...recorded, clawbackId, amount, decidedOn, basis, reason: pending.reason, originalBankReference: state.bankReference ?? '' },
      };
      if (!linked) return only([approved, clawed]);
      const entitlement = requireView(view, state, 'be clawed back');
      return {
        disbursement: [approved, clawed],
        entitlement: [{ type: 'EntitlementClaimRecovered', data: { ...claimOf(entitlement), clawbackId, amount, cause: 'clawback' } }],
      };
    }

    case 'RejectDisbursementCorrection': {
      const { correctionId, comment } = command.data;
      pendingCorrection(state, correctionId);
      return only([{ type: 'DisbursementCorrectionRejected', data: { ...recorded, correctionId, rejectedBy: actorId, comment } }]);
    }

    default:
      return assertNever(command);
  }
}

export function evolveDisbursement(state: DisbursementState, event: DisbursementEvent): DisbursementState {
  switch (event.type) {
    case 'DisbursementRequested':
      return {
        ...state,
        status: 'requested',
        disbursementId: event.data.disbursementId,
        rule: event.data.rule,
        entitlement: event.data.entitlement,
        amount: event.data.amount,
        requestedBy: event.data.requestedBy,
      };
    case 'DisbursementApproved':
      return { ...state, status: 'approved', approvedBy: event.data.approvedBy };
    case 'DisbursementCancelled':
      return { ...state, status: 'cancelled' };
    case 'DisbursementPaid':
      return { ...state, status: 'paid', bankReference: event.data.bankReference };
    case 'DisbursementReversed':
      return { ...state, status: 'reversed' };
    case 'DisbursementClawedBack':
      return { ...state, clawedBack: state.clawedBack + event.data.amount, clawbackIds: [...state.clawbackIds, event.data.clawbackId] };
    case 'DisbursementEvidenceAttached': {
      const { evidenceId, sha256, name, size, mediaType, by, at, disbursementId } = event.data;
      return { ...state, evidence: withEntry(state.evidence, evidenceId, { sha256, name, size, mediaType, attachedTo: { kind: 'disbursement', id: disbursementId }, by: by.id, at }) };
    }
    case 'DisbursementCorrectionRequested': {
      const { correctionId, correction, reason, corrects, requestedBy } = event.data;
      return { ...state, corrections: withEntry(state.corrections, correctionId, { correction, reason, corrects, requestedBy, status: 'pending' }) };
    }
    case 'DisbursementCorrectionApproved': {
      const { correctionId, correction } = event.data;
      const entry = entryOf(state.corrections, correctionId);
      const corrections = entry === undefined ? state.corrections : withEntry(state.corrections, correctionId, { ...entry, status: 'approved' as const });
      return correction.kind === 'bank_reference' ? { ...state, corrections, bankReference: correction.bankReference } : { ...state, corrections };
    }
    case 'DisbursementCorrectionRejected': {
      const entry = entryOf(state.corrections, event.data.correctionId);
      return entry === undefined ? state : { ...state, corrections: withEntry(state.corrections, event.data.correctionId, { ...entry, status: 'rejected' }) };
    }
    default:
      return assertNever(event);
  }
}

/**
 * One payment of public money (stream `disbursement-<id>`): requested → approved → paid, then
 * possibly reversed (the bank returned it) or clawed back (recovered), always by a compensating
 * event that names the original bank reference. A paid disbursement is corrected (its bank
 * reference; money recovered) by a request and another finance officer's approval. Four eyes: whoever requested a payment cannot
 * approve it, and whoever approved it cannot record its bank evidence. The bank reference is
 * claimed on its own `bank-reference-<ref>` stream before DisbursementPaid is appended.
 *
 * `decide` here sees the disbursement alone: it decides approval (and the commands of a legacy
 * disbursement); what moves money against an entitlement goes through {@link decideDisbursement}
 * with the entitlement's view.
 */
export const disbursementDecider: Decider<DisbursementCommand, DisbursementState, DisbursementEvent> = {
  decide: (command, state) => decideDisbursement(command, state, null).disbursement,
  evolve: evolveDisbursement,
  initialState: initialDisbursementState,
};
