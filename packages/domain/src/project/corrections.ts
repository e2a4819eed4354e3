import { z } from 'zod';
import { assertNever } from '../authorize.js';
import { BankReference } from '../bank-reference/bank-reference.js';
import type { CommandsOf, EventsOf } from '../decider.js';
import { domainError } from '../errors.js';
import type { Role } from '../roles.js';
import { compareDates, IsoDate } from '../values/calendar.js';
import { Id, RecordedText, Text, recorded } from '../values/common.js';
import { Corrects } from '../values/corrects.js';
import { Fen, formatYuan, PositiveFen } from '../values/fen.js';
import { entryOf, withEntry } from '../values/keyed.js';
import { taskBookOf, todayOf } from './guards.js';
import type { ProjectEvent } from './events.js';
import type { MoneyCorrectionState, ProjectState } from './state.js';

/** Which date of a milestone an officer corrects: the planned due date (task book) or the reported-on date. */
export const MilestoneDateField = z.enum(['dueOn', 'reportedOn']);
export type MilestoneDateField = z.infer<typeof MilestoneDateField>;

/** A correction of money on the project, as requested: a contract's amount, a payment's bank reference, or a refund. */
export const MoneyCorrection = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('contract_amount'), contractId: Id, amount: PositiveFen }),
  z.strictObject({ kind: z.literal('payment_bank_reference'), paymentId: Id, bankReference: BankReference }),
  z.strictObject({ kind: z.literal('payment_refund'), paymentId: Id, reversedOn: IsoDate }),
]);
export type MoneyCorrection = z.infer<typeof MoneyCorrection>;

/** A correction as recorded: with the value it replaces (side by side for the auditor). */
export const RecordedMoneyCorrection = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('contract_amount'), contractId: Id, amount: PositiveFen, previousAmount: Fen }),
  z.strictObject({ kind: z.literal('payment_bank_reference'), paymentId: Id, bankReference: BankReference, previousBankReference: BankReference }),
  z.strictObject({ kind: z.literal('payment_refund'), paymentId: Id, reversedOn: IsoDate, amount: Fen }),
]);
export type RecordedMoneyCorrection = z.infer<typeof RecordedMoneyCorrection>;

/**
 * Corrections of what an officer recorded wrongly on a project. Each names the original event it
 * corrects (`corrects`, filled in by the application service from the loaded stream); the original
 * stays. A milestone's date is an officer's correction; money is requested by one person and applied
 * only when another approves it (four eyes), at the approval.
 */
export const correctionCommandSchemas = {
  CorrectMilestoneDate: z.strictObject({ milestoneId: Id, field: MilestoneDateField, date: IsoDate, reason: Text, corrects: Corrects }),
  RequestMoneyCorrection: z.strictObject({ correctionId: Id, correction: MoneyCorrection, reason: Text, corrects: Corrects }),
  ApproveMoneyCorrection: z.strictObject({ correctionId: Id, comment: Text.optional() }),
  RejectMoneyCorrection: z.strictObject({ correctionId: Id, comment: Text }),
} as const;

export const correctionEventSchemas = {
  MilestoneDateCorrected: z.strictObject({
    ...recorded,
    projectId: Id,
    milestoneId: Id,
    field: MilestoneDateField,
    /** The date it replaces. */
    previous: IsoDate,
    date: IsoDate,
    reason: RecordedText,
    corrects: Corrects,
  }),
  MoneyCorrectionRequested: z.strictObject({
    ...recorded,
    projectId: Id,
    correctionId: Id,
    correction: RecordedMoneyCorrection,
    reason: RecordedText,
    corrects: Corrects,
    requestedBy: z.string().min(1),
  }),
  /** The correction applied. A refund's ContractPaymentReversed follows it in the same append. */
  MoneyCorrectionApproved: z.strictObject({
    ...recorded,
    projectId: Id,
    correctionId: Id,
    /** As approved: `previous…` is the value on the day of the approval. */
    correction: RecordedMoneyCorrection,
    reason: RecordedText,
    corrects: Corrects,
    requestedBy: z.string().min(1),
    approvedBy: z.string().min(1),
    comment: RecordedText.optional(),
  }),
  MoneyCorrectionRejected: z.strictObject({ ...recorded, projectId: Id, correctionId: Id, rejectedBy: z.string().min(1), comment: RecordedText }),
} as const;

export type CorrectionCommand = CommandsOf<typeof correctionCommandSchemas>;
export type CorrectionEvent = EventsOf<typeof correctionEventSchemas>;

export const correctionCommandRoles: Record<CorrectionCommand['type'], Role[]> = {
  CorrectMilestoneDate: ['officer'],
  RequestMoneyCorrection: ['officer', 'finance'],
  ApproveMoneyCorrection: ['finance'],
  RejectMoneyCorrection: ['finance'],
};

function correctionOf(state: ProjectState, correctionId: string): MoneyCorrectionState {
  const correction = entryOf(state.moneyCorrections, correctionId);
  if (correction === undefined) throw domainError('CORRECTION_NOT_FOUND', `项目 ${state.projectId} 没有更正申请 ${correctionId} (no such money correction)`);
  if (correction.status !== 'pending') {
    throw domainError('CORRECTION_NOT_PENDING', `更正申请 ${correctionId} 已${correction.status === 'approved' ? '批准' : '驳回'} (the correction was already ${correction.status})`, { status: correction.status });
  }
  return correction;
}

function nothingToCorrect(what: string): never {
  throw domainError('NOTHING_TO_CORRECT', `${what} 与原值相同，无需更正 (the corrected value equals the recorded one)`);
}

/** Checks a money correction against the project as it is now, and records it with the value it replaces. */
function assessMoneyCorrection(state: ProjectState, correction: MoneyCorrection, today: string): RecordedMoneyCorrection {
  switch (correction.kind) {
    case 'contract_amount': {
      const contract = entryOf(state.contracts, correction.contractId);
      if (contract === undefined) throw domainError('CONTRACT_NOT_FOUND', `项目 ${state.projectId} 没有合同 ${correction.contractId} (no such contract)`);
      if (contract.amount === correction.amount) nothingToCorrect(`合同 ${correction.contractId} 金额 ${formatYuan(correction.amount)}`);
      if (correction.amount < contract.paid) {
        throw domainError(
          'PAYMENT_EXCEEDS_CONTRACT',
          `合同 ${correction.contractId} 已经银行支付 ${formatYuan(contract.paid)}，金额不能更正为 ${formatYuan(correction.amount)} (the contract amount cannot fall below what is already paid)`,
          { paid: contract.paid },
        );
      }
      return { ...correction, previousAmount: contract.amount };
    }
    case 'payment_bank_reference': {
      const payment = entryOf(state.payments, correction.paymentId);
      if (payment === undefined) throw domainError('PAYMENT_NOT_FOUND', `项目 ${state.projectId} 没有银行支付 ${correction.paymentId} (no such payment)`);
      if (payment.bankReference === correction.bankReference) nothingToCorrect(`银行流水号 ${correction.bankReference}`);
      const other = Object.entries(state.payments).find(([id, p]) => id !== correction.paymentId && p.bankReference === correction.bankReference);
      if (other !== undefined) {
        throw domainError('BANK_REFERENCE_ALREADY_USED', `银行流水号 ${correction.bankReference} 已用于支付 ${other[0]} (a bank reference is paid once)`);
      }
      return { ...correction, previousBankReference: payment.bankReference };
    }
    case 'payment_refund': {
      const payment = entryOf(state.payments, correction.paymentId);
      if (payment === undefined) throw domainError('PAYMENT_NOT_FOUND', `项目 ${state.projectId} 没有银行支付 ${correction.paymentId} (no such payment)`);
      if (payment.reversed) throw domainError('INVALID_STATE', `支付 ${correction.paymentId} 已经退款 (the payment was already reversed)`);
      if (compareDates(correction.reversedOn, today) > 0 || compareDates(correction.reversedOn, payment.paidOn) < 0) {
        throw domainError('INVALID_DATE_RANGE', `退款日期 ${correction.reversedOn} 须在支付日 ${payment.paidOn} 与今天 ${today} 之间 (the refund date must lie between the payment and today)`);
      }
      return { ...correction, amount: payment.amount };
    }
    default:
      return assertNever(correction);
  }
}

/** What the recorded form asks for, without the value it replaced. */
function requested(correction: RecordedMoneyCorrection): MoneyCorrection {
  switch (correction.kind) {
    case 'contract_amount':
      return { kind: correction.kind, contractId: correction.contractId, amount: correction.amount };
    case 'payment_bank_reference':
      return { kind: correction.kind, paymentId: correction.paymentId, bankReference: correction.bankReference };
    case 'payment_refund':
      return { kind: correction.kind, paymentId: correction.paymentId, reversedOn: correction.reversedOn };
    default:
      return assertNever(correction);
  }
}

/** Decides a correction. The project may have ended (closed, terminated): corrections are what it still takes. */
export function decideCorrection(command: CorrectionCommand, state: ProjectState): ProjectEvent[] {
  const base = { by: command.actor, at: command.at, projectId: state.projectId };
  const today = todayOf(command);
  switch (command.type) {
    case 'CorrectMilestoneDate': {
      const { milestoneId, field, date, reason, corrects } = command.data;
      const milestone = entryOf(state.milestones, milestoneId);
      if (milestone === undefined) throw domainError('MILESTONE_NOT_FOUND', `项目 ${state.projectId} 的任务书没有节点 ${milestoneId} (no such milestone)`);
      const previous = field === 'dueOn' ? milestone.dueOn : milestone.reportedOn;
      if (previous === null) throw domainError('INVALID_STATE', `节点 ${milestoneId} 尚未报告，没有报告日期可更正 (the milestone was not reported)`);
      if (previous === date) nothingToCorrect(`节点 ${milestoneId} 的日期 ${date}`);
      const { startOn, endOn } = taskBookOf(state);
      if (field === 'dueOn' && (compareDates(date, startOn) < 0 || compareDates(date, endOn) > 0)) {
        throw domainError('MILESTONE_OUTSIDE_CYCLE', `节点日期 ${date} 不在周期 ${startOn} 至 ${endOn} 之内 (the due date falls outside the cycle)`);
      }
      if (field === 'reportedOn' && (compareDates(date, startOn) < 0 || compareDates(date, today) > 0)) {
        throw domainError('INVALID_DATE_RANGE', `报告日期 ${date} 须在任务书开始 ${startOn} 与今天 ${today} 之间 (the report date must lie between the start and today)`);
      }
      return [{ type: 'MilestoneDateCorrected', data: { ...base, milestoneId, field, previous, date, reason, corrects } }];
    }

    case 'RequestMoneyCorrection': {
      const { correctionId, correction, reason, corrects } = command.data;
      if (entryOf(state.moneyCorrections, correctionId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `项目 ${state.projectId} 已有更正申请 ${correctionId} (the correction id is taken)`);
      }
      const assessed = assessMoneyCorrection(state, correction, today);
      return [{ type: 'MoneyCorrectionRequested', data: { ...base, correctionId, correction: assessed, reason, corrects, requestedBy: command.actor.id } }];
    }

    case 'ApproveMoneyCorrection': {
      const { correctionId, comment } = command.data;
      const pending = correctionOf(state, correctionId);
      if (command.actor.id === pending.requestedBy) {
        throw domainError('FOUR_EYES_VIOLATION', `${command.actor.id} 申请了更正 ${correctionId}，不能自己批准 (the requester of a money correction cannot approve it)`, { actor: command.actor.id });
      }
      // Checked again on the project as it is now: another correction may have moved it since.
      const correction = assessMoneyCorrection(state, requested(pending.correction), today);
      const approved: ProjectEvent = {
        type: 'MoneyCorrectionApproved',
        data: { ...base, correctionId, correction, reason: pending.reason, corrects: pending.corrects, requestedBy: pending.requestedBy, approvedBy: command.actor.id, ...(comment === undefined ? {} : { comment }) },
      };
      if (correction.kind !== 'payment_refund') return [approved];
      const payment = entryOf(state.payments, correction.paymentId)!;
      return [
        approved,
        {
          type: 'ContractPaymentReversed',
          data: { ...base, paymentId: correction.paymentId, contractId: payment.contractId, amount: payment.amount, reversedOn: correction.reversedOn, reason: pending.reason },
        },
      ];
    }

    case 'RejectMoneyCorrection': {
      const { correctionId, comment } = command.data;
      correctionOf(state, correctionId);
      return [{ type: 'MoneyCorrectionRejected', data: { ...base, correctionId, rejectedBy: command.actor.id, comment } }];
    }

    default:
      return assertNever(command);
  }
}

export function evolveCorrection(state: ProjectState, event: CorrectionEvent): ProjectState {
  switch (event.type) {
    case 'MilestoneDateCorrected': {
      const milestone = entryOf(state.milestones, event.data.milestoneId);
      if (milestone === undefined) return state;
      const change = event.data.field === 'dueOn' ? { dueOn: event.data.date } : { reportedOn: event.data.date };
      return { ...state, milestones: withEntry(state.milestones, event.data.milestoneId, { ...milestone, ...change }) };
    }
    case 'MoneyCorrectionRequested': {
      const { correctionId, correction, reason, corrects, requestedBy } = event.data;
      return { ...state, moneyCorrections: withEntry(state.moneyCorrections, correctionId, { correction, reason, corrects, requestedBy, status: 'pending' }) };
    }
    case 'MoneyCorrectionApproved': {
      const { correctionId, correction } = event.data;
      const entry = entryOf(state.moneyCorrections, correctionId);
      const moneyCorrections = entry === undefined ? state.moneyCorrections : withEntry(state.moneyCorrections, correctionId, { ...entry, status: 'approved' as const });
      const applied = { ...state, moneyCorrections };
      switch (correction.kind) {
        case 'contract_amount': {
          const contract = entryOf(state.contracts, correction.contractId);
          return contract === undefined ? applied : { ...applied, contracts: withEntry(state.contracts, correction.contractId, { ...contract, amount: correction.amount }) };
        }
        case 'payment_bank_reference': {
          const payment = entryOf(state.payments, correction.paymentId);
          return payment === undefined ? applied : { ...applied, payments: withEntry(state.payments, correction.paymentId, { ...payment, bankReference: correction.bankReference }) };
        }
        case 'payment_refund':
          // Its ContractPaymentReversed, in the same append, reverses the payment.
          return applied;
        default:
          return assertNever(correction);
      }
    }
    case 'MoneyCorrectionRejected': {
      const entry = entryOf(state.moneyCorrections, event.data.correctionId);
      return entry === undefined ? state : { ...state, moneyCorrections: withEntry(state.moneyCorrections, event.data.correctionId, { ...entry, status: 'rejected' }) };
    }
    default:
      return assertNever(event);
  }
}

/** What a correction is about, to find the event it corrects. */
export type CorrectionTarget =
  | { kind: 'milestone_date'; milestoneId: string; field: MilestoneDateField }
  | MoneyCorrection;

type ProjectEventLike = { type: string; data: unknown };

function setsTarget(event: ProjectEventLike, target: CorrectionTarget): boolean {
  const d = event.data as Record<string, unknown>;
  const corrected = d.correction as { kind?: string; contractId?: string; paymentId?: string } | undefined;
  switch (target.kind) {
    case 'milestone_date':
      if (event.type === 'MilestoneDateCorrected') return d.milestoneId === target.milestoneId && d.field === target.field;
      if (target.field === 'dueOn') return event.type === 'TaskBookSigned' && (d.milestones as Array<{ milestoneId: string }>).some((m) => m.milestoneId === target.milestoneId);
      return event.type === 'MilestoneReported' && d.milestoneId === target.milestoneId;
    case 'contract_amount':
      if (event.type === 'MoneyCorrectionApproved') return corrected?.kind === 'contract_amount' && corrected.contractId === target.contractId;
      return event.type === 'ConversionContractRegistered' && d.contractId === target.contractId;
    case 'payment_bank_reference':
      if (event.type === 'MoneyCorrectionApproved') return corrected?.kind === 'payment_bank_reference' && corrected.paymentId === target.paymentId;
      return event.type === 'ContractPaymentConfirmed' && d.paymentId === target.paymentId;
    case 'payment_refund':
      return event.type === 'ContractPaymentConfirmed' && d.paymentId === target.paymentId;
    default:
      return assertNever(target);
  }
}

/**
 * The index, in a project's events, of the event a correction corrects: the last one that set the
 * value (the original, or an earlier correction of it); undefined when there is none.
 */
export function correctedEventIndex(events: readonly ProjectEventLike[], target: CorrectionTarget): number | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (setsTarget(events[i]!, target)) return i;
  return undefined;
}
