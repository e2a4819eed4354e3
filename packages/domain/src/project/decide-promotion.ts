import { assertNever } from '../authorize.js';
import { acceptanceDeadline } from '../deadlines.js';
import { domainError } from '../errors.js';
import { compareDates } from '../values/calendar.js';
import { formatYuan } from '../values/fen.js';
import type { PromotionCommand } from './commands.js';
import type { ProjectEvent } from './events.js';
import { policyOf, requireFourEyes, requireStage, requireStatus, taskBookOf, todayOf } from './guards.js';
import type { PaymentState, ProjectState } from './state.js';
import { openRectifications } from './state.js';
import { entryOf } from '../values/keyed.js';

/** Contracts keep coming after acceptance; the record stays open until the project is closed. */
const converting = ['in_progress', 'acceptance_applied', 'acceptance_concluded'] as const;

function paymentOf(state: ProjectState, paymentId: string): PaymentState {
  const payment = entryOf(state.payments, paymentId);
  if (payment === undefined) throw domainError('PAYMENT_NOT_FOUND', `project ${state.projectId} has no bank payment ${paymentId}`);
  return payment;
}

/** The two parties differ, and the project's lead enterprise is one of them. */
function requireContractParties(state: ProjectState, transferor: string, transferee: string): void {
  const lead = state.leadEnterprise?.creditCode;
  if (transferor === transferee || (lead !== transferor && lead !== transferee)) {
    throw domainError(
      'CONTRACT_PARTIES_INVALID',
      `a conversion contract of project ${state.projectId} is between its lead enterprise ${lead ?? ''} and another party; got transferor ${transferor} and transferee ${transferee}`,
    );
  }
}

/** Promotion (推广): conversion contracts and their bank payments, acceptance, closing, grading; and the R1 claim. */
export function decidePromotion(command: PromotionCommand, state: ProjectState): ProjectEvent[] {
  const recorded = { by: command.actor, at: command.at, projectId: state.projectId };
  const today = todayOf(command);

  switch (command.type) {
    case 'AwardSelectionGrant': {
      requireStatus(state, ['approved', ...converting], 'be awarded its selection grant');
      if (state.r1 !== null) {
        if (state.r1.disbursementId === command.data.disbursementId) return [];
        throw domainError(
          'R1_ALREADY_AWARDED',
          `project ${state.projectId} was already awarded its one-time selection grant (disbursement ${state.r1.disbursementId})`,
        );
      }
      const lead = state.leadEnterprise;
      if (lead === null) throw domainError('PROJECT_NOT_FOUND', 'this project has not been submitted');
      return [
        {
          type: 'SelectionGrantAwarded',
          data: {
            ...recorded,
            disbursementId: command.data.disbursementId,
            payeeCreditCode: lead.creditCode,
            amount: policyOf(state).r1GrantAmount,
            impliesClaim: false,
          },
        },
      ];
    }

    case 'RegisterConversionContract':
      requireStatus(state, converting, 'register conversion contracts');
      requireStage(state, 'promotion', 'register conversion contracts');
      if (entryOf(state.contracts, command.data.contractId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `contract ${command.data.contractId} is already registered on project ${state.projectId}`);
      }
      requireContractParties(state, command.data.transferor.creditCode, command.data.transferee.creditCode);
      return [{ type: 'ConversionContractRegistered', data: { ...recorded, ...command.data } }];

    case 'ConfirmContractPayment': {
      requireStatus(state, converting, 'confirm contract payments');
      const { paymentId, contractId, amount, bankReference, paidOn } = command.data;
      const contract = entryOf(state.contracts, contractId);
      if (contract === undefined) throw domainError('CONTRACT_NOT_FOUND', `project ${state.projectId} has no contract ${contractId}`);
      if (entryOf(state.payments, paymentId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `payment ${paymentId} is already confirmed on project ${state.projectId}`);
      }
      const sameReference = Object.entries(state.payments).find(([, p]) => p.bankReference === bankReference);
      if (sameReference !== undefined) {
        throw domainError('BANK_REFERENCE_ALREADY_USED', `bank reference ${bankReference} was already confirmed as payment ${sameReference[0]}`);
      }
      if (compareDates(paidOn, today) > 0) {
        throw domainError('INVALID_DATE_RANGE', `a payment cannot be confirmed as paid on ${paidOn}, after today (${today})`);
      }
      if (contract.paid + amount > contract.amount) {
        throw domainError(
          'PAYMENT_EXCEEDS_CONTRACT',
          `contract ${contractId} is for ${formatYuan(contract.amount)}; ${formatYuan(contract.paid)} is already paid, so ${formatYuan(amount)} more is too much`,
        );
      }
      const beneficiary = policyOf(state).r2Beneficiary === 'transferee' ? contract.transferee : contract.transferor;
      if (beneficiary === null) throw domainError('PROJECT_NOT_FOUND', 'this project has not been submitted');
      return [{ type: 'ContractPaymentConfirmed', data: { ...recorded, ...command.data, enterpriseCreditCode: beneficiary.creditCode } }];
    }

    case 'ReverseContractPayment': {
      requireStatus(state, converting, 'reverse contract payments');
      const payment = paymentOf(state, command.data.paymentId);
      if (payment.reversed) throw domainError('INVALID_STATE', `payment ${command.data.paymentId} was already reversed`);
      return [
        { type: 'ContractPaymentReversed', data: { ...recorded, ...command.data, contractId: payment.contractId, amount: payment.amount } },
      ];
    }

    case 'RecordSubsidyAssessment': {
      const payment = paymentOf(state, command.data.paymentId);
      if (command.data.step === 'payment' ? payment.paymentAssessed : payment.reversalAssessed) return [];
      if (command.data.step === 'reversal' && !payment.reversed) {
        throw domainError('INVALID_STATE', `payment ${command.data.paymentId} has not been reversed`);
      }
      return [{ type: 'SubsidyAssessmentRecorded', data: { ...recorded, ...command.data } }];
    }

    case 'ApplyForAcceptance': {
      requireStatus(state, ['in_progress'], 'apply for acceptance');
      requireStage(state, 'promotion', 'apply for acceptance');
      const { endOn } = taskBookOf(state);
      const deadline = acceptanceDeadline(endOn, policyOf(state).acceptanceWindowMonths);
      const { appliedOn } = command.data;
      if (compareDates(appliedOn, today) > 0) {
        throw domainError('INVALID_DATE_RANGE', `an application cannot be dated ${appliedOn}, after today (${today})`);
      }
      if (compareDates(appliedOn, deadline) > 0) {
        throw domainError(
          'ACCEPTANCE_WINDOW_CLOSED',
          `project ${state.projectId} ended on ${endOn}; acceptance had to be applied for by ${deadline}`,
          { deadline },
        );
      }
      return [{ type: 'AcceptanceApplied', data: { ...recorded, ...command.data, deadline } }];
    }

    case 'ConcludeAcceptance': {
      requireStatus(state, ['acceptance_applied'], 'conclude acceptance');
      requireFourEyes(command.actor.id, state.acceptance?.appliedBy ?? '', `the acceptance of project ${state.projectId}`);
      const open = openRectifications(state);
      if (command.data.result !== 'failed' && open.length > 0) {
        throw domainError('RECTIFICATION_OPEN', `project ${state.projectId} cannot pass acceptance with open rectifications: ${open.join(', ')}`, {
          rectifications: open,
        });
      }
      return [{ type: 'AcceptanceConcluded', data: { ...recorded, ...command.data } }];
    }

    case 'CloseProject':
      if (state.status !== 'acceptance_concluded') {
        throw domainError('ACCEPTANCE_NOT_CONCLUDED', `project ${state.projectId} can be closed only after its acceptance is concluded`);
      }
      return [{ type: 'ProjectClosed', data: { ...recorded, ...command.data } }];

    case 'GradeAnnualPerformance': {
      requireStatus(state, ['approved', ...converting], 'be graded');
      const existing = state.grades[String(command.data.year)];
      if (existing !== undefined) {
        throw domainError('GRADE_ALREADY_RECORDED', `project ${state.projectId} was already graded ${existing} for ${command.data.year}`);
      }
      return [{ type: 'PerformanceGraded', data: { ...recorded, ...command.data } }];
    }

    default:
      return assertNever(command);
  }
}
