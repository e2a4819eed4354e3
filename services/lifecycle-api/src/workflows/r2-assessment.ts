import {
  entryOf,
  parseEvent,
  project,
  r2EntitlementViews,
  r2Ledger,
  type ProjectCommand,
  type ProjectState,
  type R2LedgerCommand,
  type R2LedgerEvent,
  type R2LedgerState,
} from '@gongguan/domain';
import { appError } from '@gongguan/platform';
import type { CommandContext, StepResult } from '../commands/execute.js';
import type { DecidedEvent } from '../commands/execute-payout.js';
import { readAggregate } from '../commands/load.js';
import { decideWithReclaims } from './reclaim.js';

export type AssessmentStep = 'payment' | 'reversal';

type Assessment = Extract<R2LedgerEvent, { type: 'R2PaymentAssessed' | 'R2ReversalAssessed' }>;

function assessmentOf(events: readonly R2LedgerEvent[], wanted: Assessment['type'], projectId: string, paymentId: string): Assessment | undefined {
  return events.find(
    (e): e is Assessment => e.type === wanted && e.data.paymentId === paymentId && (e.data.projectId === undefined || e.data.projectId === projectId),
  );
}

/**
 * The second half of "a bank payment and the R2 cap", decided as one: the assessment of the
 * payment (or of its reversal) on the beneficiary's enterprise-year ledger, the result recorded
 * back on the project (which closes the pending step), and, for a reversal, the clawback of what
 * was paid beyond the reduced entitlements: one atomic append over the ledger, the project and the
 * disbursements concerned. Event ids come from (project, payment, step), so the HTTP request and
 * the re-driver can both run it, in any order and any number of times, and it is written once.
 */
export async function assessContractPayment(
  ctx: CommandContext,
  projectId: string,
  paymentId: string,
  step: AssessmentStep,
  /**
   * The refund itself, decided in the same append (the reversal route; or the approval of a refund
   * correction, `command`, whose events reverse the payment); absent, it is already on the project (re-drive).
   */
  refund?: { reversedOn: string; reason: string; ifMatch?: number | undefined; command?: (by: { actor: ProjectCommand['actor']; at: string }) => ProjectCommand },
): Promise<StepResult[]> {
  const projectStream = project.streamName(projectId);
  const loaded = await readAggregate(ctx.store, project, projectStream);
  const state: ProjectState = loaded.state;
  const payment = entryOf(state.payments, paymentId);
  if (!payment || !state.policy) throw appError('NOT_FOUND', `project ${projectId} has no confirmed payment ${paymentId}`);
  const year = Number(payment.paidOn.slice(0, 4));
  const creditCode = payment.enterpriseCreditCode;
  // The cap is the project's bureau's (the government whose programme's policy grants it).
  const ledgerStream = r2Ledger.streamName(state.bureauCode, creditCode, year);
  const stepCtx: CommandContext = { ...ctx, idSeed: `r2-assessment|${projectId}|${paymentId}|${step}` };
  const { r2RateBps, r2Threshold, r2AnnualCap, r2ThresholdMode } = state.policy;

  let data: Record<string, unknown>;
  let reclaim = { decidedOn: payment.paidOn, reason: `payment ${paymentId} of project ${projectId} reversed` };
  if (step === 'payment') {
    data = {
      bureauCode: state.bureauCode,
      creditCode,
      year,
      policy: { r2RateBps, r2Threshold, r2AnnualCap, r2ThresholdMode },
      paymentId,
      projectId,
      contractId: payment.contractId,
      amount: payment.amount,
      paidOn: payment.paidOn,
      bankReference: payment.bankReference,
    };
  } else {
    const reversal = refund ? undefined : [...loaded.events].reverse().find((e) => e.type === 'ContractPaymentReversed' && e.data.paymentId === paymentId);
    if (!refund && !reversal) throw appError('NOT_FOUND', `payment ${paymentId} of project ${projectId} was not reversed`);
    const { reversedOn, reason } = refund ?? (reversal!.data as { reversedOn: string; reason: string });
    data = { projectId, paymentId, reversedOn, reason };
    reclaim = { decidedOn: reversedOn, reason };
  }
  // An assessment already on the ledger (written before assessment and record-back were one append).
  const previous = (await readAggregate(ctx.store, r2Ledger, ledgerStream)).events.map(parseEvent).filter(r2Ledger.isEvent);
  const wanted = step === 'payment' ? 'R2PaymentAssessed' : 'R2ReversalAssessed';

  return decideWithReclaims(stepCtx, {
    parts: [
      { aggregate: r2Ledger, stream: ledgerStream },
      { aggregate: project, stream: projectStream, ifMatch: refund?.ifMatch },
    ],
    type: step === 'payment' ? 'AssessR2Payment' : 'AssessR2Reversal',
    data,
    step: 'assess',
    reclaim: { clawbackId: `r2-${step}-${ctx.env.newId()}`.slice(0, 64), ...reclaim },
    claimsOf: (ledger) => (ledger as R2LedgerState).claims,
    views: (ledger) => (step === 'reversal' ? r2EntitlementViews(ledger as R2LedgerState) : []),
    decide(command, [ledgerState, projectBefore]) {
      const refundCommand: ProjectCommand | undefined = refund
        ? (refund.command?.(command) ?? { type: 'ReverseContractPayment', actor: command.actor, at: command.at, data: { paymentId, reversedOn: refund.reversedOn, reason: refund.reason } })
        : undefined;
      const reversed = refundCommand ? project.decider.decide(refundCommand, projectBefore as ProjectState) : [];
      const projectState = reversed.reduce(project.decider.evolve, projectBefore as ProjectState);
      const ledger = ledgerState as R2LedgerState;
      const ledgerEvents = r2Ledger.decider.decide(command as R2LedgerCommand, ledger);
      const ledgerAfter = ledgerEvents.reduce(r2Ledger.decider.evolve, ledger);
      const assessed = assessmentOf(ledgerEvents, wanted, projectId, paymentId) ?? assessmentOf(previous, wanted, projectId, paymentId);
      if (!assessed) throw new Error(`${ledgerStream} has no ${wanted} for ${projectId}/${paymentId} after assessing it`);
      const record: ProjectCommand = {
        type: 'RecordSubsidyAssessment',
        actor: command.actor,
        at: command.at,
        data: {
          paymentId,
          step,
          ledgerStream,
          subsidyGranted: assessed.type === 'R2PaymentAssessed' ? assessed.data.subsidyGranted : 0,
          clawback: assessed.type === 'R2ReversalAssessed' ? assessed.data.clawback : 0,
        },
      };
      const projectEvents = [...reversed, ...project.decider.decide(record, projectState)];
      return { events: [ledgerEvents as DecidedEvent[], projectEvents as DecidedEvent[]], ledgerAfter };
    },
  });
}
