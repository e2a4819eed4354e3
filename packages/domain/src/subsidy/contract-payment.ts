import { bankReferenceDecider, type BankReferenceEvent, type BankReferenceState } from '../bank-reference/registry.js';
import { projectDecider } from '../project/decider.js';
import type { ProjectCommand } from '../project/commands.js';
import type { ProjectEvent } from '../project/events.js';
import type { ProjectState } from '../project/state.js';
import type { Actor } from '../values/common.js';
import { entryOf } from '../values/keyed.js';
import { r2LedgerDecider, r2LedgerStream, type R2LedgerEvent, type R2LedgerState } from './r2-ledger.js';

/** The three states a bank payment of a conversion contract needs. */
export interface ContractPaymentState {
  readonly bankReference: BankReferenceState;
  readonly project: ProjectState;
  readonly ledger: R2LedgerState;
}

/** What the decision writes on each stream, appended together in one atomic append. */
export interface ContractPaymentEvents {
  bankReference: BankReferenceEvent[];
  project: ProjectEvent[];
  ledger: R2LedgerEvent[];
}

/** A bank payment as the officer confirms it (ConfirmContractPayment's data), by whom and when. */
export interface ConfirmPayment {
  readonly actor: Actor;
  readonly at: string;
  readonly data: Extract<ProjectCommand, { type: 'ConfirmContractPayment' }>['data'];
  /** Names the payment in the bank-reference registry (`<project>.<payment>`, at most 64 characters). */
  readonly claimantId: string;
}

/**
 * One decision over the bank reference, the project and the beneficiary's enterprise-year ledger:
 * the reference is claimed (paid once), the payment confirmed on the project (contract amount not
 * exceeded), assessed on `subsidy-<creditCode>-<year>` (the R2 cap), and the assessment recorded back
 * on the project. Nothing is left pending in between: the application appends the three lists in
 * one atomic append with each stream's expected revision.
 *
 * The ledger is chosen from the payment before deciding (`ledgerOf`): the beneficiary is fixed by the
 * contract's parties and the programme's policy, and the year by the bank's paid-on date.
 */
export function decideContractPayment(command: ConfirmPayment, state: ContractPaymentState): ContractPaymentEvents {
  const { actor, at, data } = command;
  const claim = bankReferenceDecider.decide(
    { type: 'ClaimBankReference', actor, at, data: { bankReference: data.bankReference, claimant: { kind: 'contract_payment', id: command.claimantId } } },
    state.bankReference,
  );
  const confirmed = projectDecider.decide({ type: 'ConfirmContractPayment', actor, at, data }, state.project);
  const after = confirmed.reduce(projectDecider.evolve, state.project);
  const payment = entryOf(after.payments, data.paymentId);
  if (!payment || !after.policy) throw new Error(`project ${after.projectId} confirmed payment ${data.paymentId} without recording it`);
  const { r2RateBps, r2Threshold, r2AnnualCap, r2ThresholdMode } = after.policy;
  const ledger = r2LedgerDecider.decide(
    {
      type: 'AssessR2Payment',
      actor,
      at,
      data: {
        bureauCode: after.bureauCode,
        creditCode: payment.enterpriseCreditCode,
        year: Number(payment.paidOn.slice(0, 4)),
        policy: { r2RateBps, r2Threshold, r2AnnualCap, r2ThresholdMode },
        paymentId: data.paymentId,
        projectId: after.projectId,
        contractId: payment.contractId,
        amount: payment.amount,
        paidOn: payment.paidOn,
        bankReference: payment.bankReference,
      },
    },
    state.ledger,
  );
  const assessed = ledger.find((e) => e.type === 'R2PaymentAssessed');
  if (!assessed || assessed.type !== 'R2PaymentAssessed') throw new Error(`the ledger did not assess payment ${data.paymentId} of project ${after.projectId}`);
  const recorded = projectDecider.decide(
    {
      type: 'RecordSubsidyAssessment',
      actor,
      at,
      data: { paymentId: data.paymentId, step: 'payment', ledgerStream: ledgerOf(payment, after.bureauCode), subsidyGranted: assessed.data.subsidyGranted, clawback: 0 },
    },
    after,
  );
  return { bankReference: claim, project: [...confirmed, ...recorded], ledger };
}

/**
 * The ledger that assesses a confirmed payment: the beneficiary's, in the year of the bank's paid-on
 * date, under the cap of the project's bureau (the government whose programme's policy grants it).
 */
export function ledgerOf(payment: { enterpriseCreditCode: string; paidOn: string }, bureauCode: string): string {
  return r2LedgerStream(bureauCode, payment.enterpriseCreditCode, Number(payment.paidOn.slice(0, 4)));
}
