import { entryOf, project, r2Ledger, type ProjectState } from '@gongguan/domain';
import { appError } from '@gongguan/platform';
import { execute, type CommandContext, type StepResult } from '../commands/execute.js';
import { readAggregate } from '../commands/load.js';

export type AssessmentStep = 'payment' | 'reversal';

/**
 * The second half of "a bank payment and the R2 cap": assess the payment (or its reversal) on the
 * enterprise-year ledger, then record the result back on the project, which closes the pending
 * step. Event ids come from (project, payment, step), so the HTTP request and the re-driver can
 * both run it, in any order and any number of times, and the events are written once.
 */
export async function assessContractPayment(
  ctx: CommandContext,
  projectId: string,
  paymentId: string,
  step: AssessmentStep,
): Promise<StepResult[]> {
  const projectStream = project.streamName(projectId);
  const loaded = await readAggregate(ctx.store, project, projectStream);
  const state: ProjectState = loaded.state;
  const payment = entryOf(state.payments, paymentId);
  if (!payment || !state.leadEnterprise || !state.policy) {
    throw appError('NOT_FOUND', `project ${projectId} has no confirmed payment ${paymentId}`);
  }
  const year = Number(payment.paidOn.slice(0, 4));
  const creditCode = state.leadEnterprise.creditCode;
  const ledgerStream = r2Ledger.streamName(creditCode, year);
  const stepCtx: CommandContext = { ...ctx, idSeed: `r2-assessment|${projectId}|${paymentId}|${step}` };
  const policy = state.policy;

  let assessed: StepResult;
  if (step === 'payment') {
    assessed = await execute(stepCtx, {
      aggregate: r2Ledger,
      stream: ledgerStream,
      type: 'AssessR2Payment',
      step: 'assess',
      data: {
        creditCode,
        year,
        policy: {
          r2RateBps: policy.r2RateBps,
          r2Threshold: policy.r2Threshold,
          r2AnnualCap: policy.r2AnnualCap,
          r2ThresholdMode: policy.r2ThresholdMode,
        },
        paymentId,
        projectId,
        contractId: payment.contractId,
        amount: payment.amount,
        paidOn: payment.paidOn,
        bankReference: payment.bankReference,
      },
    });
  } else {
    const reversal = [...loaded.events].reverse().find((e) => e.type === 'ContractPaymentReversed' && e.data.paymentId === paymentId);
    if (!reversal) throw appError('NOT_FOUND', `payment ${paymentId} of project ${projectId} was not reversed`);
    assessed = await execute(stepCtx, {
      aggregate: r2Ledger,
      stream: ledgerStream,
      type: 'AssessR2Reversal',
      step: 'assess',
      data: { paymentId, reversedOn: reversal.data.reversedOn, reason: reversal.data.reason },
    });
  }

  const ledger = await readAggregate(ctx.store, r2Ledger, ledgerStream);
  const wanted = step === 'payment' ? 'R2PaymentAssessed' : 'R2ReversalAssessed';
  const entry = ledger.events.find((e) => e.type === wanted && e.data.paymentId === paymentId);
  if (!entry) throw new Error(`${ledgerStream} has no ${wanted} for ${paymentId} after assessing it`);
  const recorded = await execute(stepCtx, {
    aggregate: project,
    stream: projectStream,
    type: 'RecordSubsidyAssessment',
    step: 'record',
    data: {
      paymentId,
      step,
      ledgerStream,
      subsidyGranted: step === 'payment' ? Number(entry.data.subsidyGranted) : 0,
      clawback: step === 'reversal' ? Number(entry.data.clawback) : 0,
    },
  });
  return [assessed, recorded];
}
