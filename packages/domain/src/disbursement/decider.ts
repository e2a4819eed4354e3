import { assertNever, assertRole } from '../authorize.js';
import type { Decider } from '../decider.js';
import { domainError } from '../errors.js';
import { formatYuan } from '../values/fen.js';
import type { DisbursementCommand, DisbursementEvent, RuleKind } from './disbursement.js';
import { disbursementCommandRoles } from './disbursement.js';

export interface DisbursementState {
  readonly status: 'none' | 'requested' | 'approved' | 'paid' | 'cancelled' | 'reversed';
  readonly disbursementId: string;
  readonly rule: RuleKind | null;
  readonly amount: number;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly bankReference: string | null;
  readonly clawedBack: number;
  readonly clawbackIds: readonly string[];
}

export const initialDisbursementState: DisbursementState = {
  status: 'none',
  disbursementId: '',
  rule: null,
  amount: 0,
  requestedBy: '',
  approvedBy: '',
  bankReference: null,
  clawedBack: 0,
  clawbackIds: [],
};

function requireStatus(state: DisbursementState, allowed: readonly DisbursementState['status'][], action: string): void {
  if (!allowed.includes(state.status)) {
    throw domainError('INVALID_STATE', `disbursement ${state.disbursementId} is ${state.status}; it cannot ${action}`, { status: state.status });
  }
}

function decide(command: DisbursementCommand, state: DisbursementState): DisbursementEvent[] {
  assertRole(command.type, command.actor, disbursementCommandRoles[command.type]);
  const actorId = command.actor.id;
  if (command.type === 'RequestDisbursement') {
    if (state.status !== 'none') throw domainError('ALREADY_EXISTS', `disbursement ${state.disbursementId} has already been requested`);
    return [{ type: 'DisbursementRequested', data: { by: command.actor, at: command.at, ...command.data, requestedBy: actorId } }];
  }
  if (state.status === 'none') throw domainError('DISBURSEMENT_NOT_FOUND', 'this disbursement has not been requested');
  const recorded = { by: command.actor, at: command.at, disbursementId: state.disbursementId };

  switch (command.type) {
    case 'ApproveDisbursement':
      requireStatus(state, ['requested'], 'be approved');
      if (actorId === state.requestedBy) {
        throw domainError('FOUR_EYES_VIOLATION', `${actorId} requested disbursement ${state.disbursementId} and cannot also approve it`);
      }
      return [{ type: 'DisbursementApproved', data: { ...recorded, approvedBy: actorId, ...command.data } }];

    case 'CancelDisbursement':
      requireStatus(state, ['requested', 'approved'], 'be cancelled');
      return [{ type: 'DisbursementCancelled', data: { ...recorded, ...command.data } }];

    case 'RecordDisbursementPayment':
      requireStatus(state, ['approved'], 'be paid');
      if (actorId === state.approvedBy) {
        throw domainError('FOUR_EYES_VIOLATION', `${actorId} approved disbursement ${state.disbursementId} and cannot also record its payment evidence`);
      }
      return [{ type: 'DisbursementPaid', data: { ...recorded, amount: state.amount, ...command.data, recordedBy: actorId } }];

    case 'ReverseDisbursement':
      requireStatus(state, ['paid'], 'be reversed');
      if (state.clawedBack > 0) {
        throw domainError('CLAWBACK_EXCEEDS_PAID', `disbursement ${state.disbursementId} has clawbacks; reverse only what remains by a clawback`);
      }
      return [
        {
          type: 'DisbursementReversed',
          data: { ...recorded, amount: state.amount, originalBankReference: state.bankReference ?? '', ...command.data },
        },
      ];

    case 'ClawBackDisbursement': {
      requireStatus(state, ['paid'], 'be clawed back');
      if (state.clawbackIds.includes(command.data.clawbackId)) return [];
      const remaining = state.amount - state.clawedBack;
      if (command.data.amount > remaining) {
        throw domainError(
          'CLAWBACK_EXCEEDS_PAID',
          `disbursement ${state.disbursementId} paid ${formatYuan(state.amount)}, of which ${formatYuan(remaining)} is left to claw back; ${formatYuan(command.data.amount)} is too much`,
        );
      }
      return [{ type: 'DisbursementClawedBack', data: { ...recorded, originalBankReference: state.bankReference ?? '', ...command.data } }];
    }

    default:
      return assertNever(command);
  }
}

function evolve(state: DisbursementState, event: DisbursementEvent): DisbursementState {
  switch (event.type) {
    case 'DisbursementRequested':
      return {
        ...state,
        status: 'requested',
        disbursementId: event.data.disbursementId,
        rule: event.data.rule,
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
    default:
      return assertNever(event);
  }
}

/**
 * One payment of public money (stream `disbursement-<id>`): requested → approved → paid, then
 * possibly reversed (the bank returned it) or clawed back (recovered), always by a compensating
 * event that names the original bank reference. Four eyes: whoever requested a payment cannot
 * approve it, and whoever approved it cannot record its bank evidence. The bank reference is
 * claimed on its own `bank-reference-<ref>` stream before DisbursementPaid is appended.
 */
export const disbursementDecider: Decider<DisbursementCommand, DisbursementState, DisbursementEvent> = {
  decide,
  evolve,
  initialState: initialDisbursementState,
};
