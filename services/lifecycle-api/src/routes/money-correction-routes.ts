import {
  bankReference,
  correctedEventIndex,
  decideDisbursement,
  disbursement,
  Id,
  IsoDate,
  MilestoneDateField,
  MoneyCorrection,
  parseEvent,
  project,
  proseText,
  PositiveFen,
  BankReference,
  Text,
  entryOf,
  type BankReferenceCommand,
  type CorrectionTarget,
  type DisbursementCorrection,
  type DisbursementCommand,
  type DisbursementState,
  type DomainCommand,
  type ProjectCommand,
  type ProjectState,
} from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import type { ResourceRef } from '../bureaus/access.js';
import { execute, stale, type CommandContext } from '../commands/execute.js';
import { executeAcross, type DecidedEvent } from '../commands/execute-payout.js';
import { disbursementPart, entitlementPart } from '../commands/entitlements.js';
import { readAggregate } from '../commands/load.js';
import { assessContractPayment } from '../workflows/r2-assessment.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { paramsSchema } from './simple-command.js';
import { claimantId } from './workflow-routes.js';

const P = '/v1/projects/:projectId';
const D = '/v1/disbursements/:disbursementId';
const ofProject = ({ params }: { params: unknown }): ResourceRef[] => [{ kind: 'project', id: (params as { projectId: string }).projectId }];
const ofDisbursement = ({ params }: { params: unknown }): ResourceRef[] => [{ kind: 'disbursement', id: (params as { disbursementId: string }).disbursementId }];

/** The stream as it is, with If-Match checked before anything is looked up in it. */
async function loadWithEvents<S>(ctx: CommandContext, aggregate: Parameters<typeof readAggregate<S, unknown>>[1], stream: string, ifMatch: number | undefined) {
  const loaded = await readAggregate(ctx.store, aggregate, stream);
  const revision = loaded.events.at(-1)?.revision ?? -1;
  if (ifMatch !== undefined && revision !== ifMatch) throw stale(stream, ifMatch, revision);
  return loaded;
}

function refOf(event: RecordedEvent): { eventId: string; type: string } {
  return { eventId: event.id, type: event.type };
}

/**
 * The event a project correction corrects, found in the loaded stream. None: the command is decided
 * with a placeholder so that the domain refuses it with its own reason (no such milestone, payment…).
 */
function projectOriginal(events: readonly RecordedEvent[], target: CorrectionTarget): { eventId: string; type: string } {
  const index = correctedEventIndex(events.map(parseEvent), target);
  return index === undefined ? { eventId: 'none', type: 'none' } : refOf(events[index]!);
}

/** The event a disbursement correction corrects: its payment, or the approval that last set its bank reference. */
function disbursementOriginal(events: readonly RecordedEvent[], kind: DisbursementCorrection['kind']): { eventId: string; type: string } {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = parseEvent(events[i]!);
    if (event.type === 'DisbursementPaid') return refOf(events[i]!);
    if (kind === 'bank_reference' && event.type === 'DisbursementCorrectionApproved' && event.data.correction.kind === 'bank_reference') return refOf(events[i]!);
  }
  return { eventId: 'none', type: 'none' };
}

const CorrectionBody = z.strictObject({ correctionId: Id.optional(), correction: MoneyCorrection, reason: Text });
const DisbursementCorrectionBody = z.strictObject({
  correctionId: Id.optional(),
  correction: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('bank_reference'), bankReference: BankReference }),
    z.strictObject({ kind: z.literal('clawback'), clawbackId: Id.optional(), amount: PositiveFen, decidedOn: IsoDate, basis: proseText(300) }),
  ]),
  reason: Text,
});
const ApprovalBody = z.strictObject({ comment: Text.optional() });
const RejectionBody = z.strictObject({ comment: Text });

/**
 * Corrections of records and money (issue 19, part B; programme amendments and withdrawals are in
 * correction-routes.ts): compensating events that name the original (`corrects`), a reason and who
 * corrected; the original stays. A milestone's date is an officer's; money is requested by one
 * person and takes effect when another approves it, in the approval's one atomic append.
 */
export function registerMoneyCorrectionRoutes(app: HttpApp, deps: CommandDeps): void {
  commandRoute(app, deps, {
    url: `${P}/milestones/:milestoneId/date-corrections`,
    summary: '更正节点日期：计划完成日或报告日 (correct a milestone date: its due date or its reported-on date)',
    description: 'Appends MilestoneDateCorrected naming the original event (the task book, the report, or an earlier correction); the due items are evaluated on the corrected date. A closed or terminated project takes it too.',
    tags: ['corrections'],
    roles: project.commandRoles.CorrectMilestoneDate,
    params: paramsSchema(`${P}/milestones/:milestoneId/date-corrections`),
    body: z.strictObject({ field: MilestoneDateField, date: IsoDate, reason: Text }),
    bodyExample: { field: 'dueOn', date: '2019-03-01', reason: '任务书节点日期录入错误 (typed 2019-02-01 for 2019-03-01)' },
    commandType: 'CorrectMilestoneDate',
    resources: ofProject,
    async run(ctx, { params, body, ifMatch }) {
      const { projectId, milestoneId } = params as { projectId: string; milestoneId: string };
      const { field } = body as { field: MilestoneDateField };
      const stream = project.streamName(projectId);
      const loaded = await loadWithEvents(ctx, project, stream, ifMatch);
      const corrects = projectOriginal(loaded.events, { kind: 'milestone_date', milestoneId, field });
      const primary = await execute(ctx, { aggregate: project, stream, type: 'CorrectMilestoneDate', data: { ...(body as object), milestoneId, corrects }, step: 'correct-milestone-date', ifMatch });
      return { primary, resourceId: milestoneId };
    },
  });

  commandRoute(app, deps, {
    url: `${P}/money-corrections`,
    summary: '申请更正金额：合同金额、银行流水号或退款 (request a money correction: a contract amount, a payment bank reference, a refund)',
    description: 'Four eyes: the request changes nothing; another finance officer approves it. The request names the original event. A closed or terminated project takes it too (a refund after closing).',
    tags: ['corrections'],
    roles: project.commandRoles.RequestMoneyCorrection,
    params: paramsSchema(`${P}/money-corrections`),
    body: CorrectionBody,
    bodyExample: { correctionId: 'corr-1', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'ICBC-2019-1008-0002' }, reason: '银行流水号录入错误 (the bank reference was mistyped)' },
    created: true,
    commandType: 'RequestMoneyCorrection',
    resources: ofProject,
    async run(ctx, { params, body, ifMatch }) {
      const { projectId } = params as { projectId: string };
      const data = { ...(body as z.infer<typeof CorrectionBody>) } as Record<string, unknown> & z.infer<typeof CorrectionBody>;
      data.correctionId ??= ctx.env.newId();
      const stream = project.streamName(projectId);
      const loaded = await loadWithEvents(ctx, project, stream, ifMatch);
      data.corrects = projectOriginal(loaded.events, data.correction);
      const primary = await execute(ctx, { aggregate: project, stream, type: 'RequestMoneyCorrection', data, step: 'request-correction', ifMatch });
      return { primary, resourceId: data.correctionId, location: `/v1/projects/${projectId}` };
    },
  });

  commandRoute(app, deps, {
    url: `${P}/money-corrections/:correctionId/approval`,
    summary: '批准金额更正（不得由申请人批准），更正在批准时生效 (approve a money correction, never by its requester; it takes effect now)',
    description:
      'One atomic append: a contract amount on the project; a bank reference on the project with the wrong reference released and the right one claimed (BANK_REFERENCE_ALREADY_USED when another payment holds it); a refund reverses the payment and reassesses R2 on the enterprise-year ledger, clawing back what was paid beyond it.',
    tags: ['corrections'],
    roles: project.commandRoles.ApproveMoneyCorrection,
    params: paramsSchema(`${P}/money-corrections/:correctionId/approval`),
    body: ApprovalBody,
    bodyExample: { comment: '已核对银行回单 (checked against the bank slip)' },
    commandType: 'ApproveMoneyCorrection',
    resources: ofProject,
    async run(ctx, { params, body, ifMatch }) {
      const { projectId, correctionId } = params as { projectId: string; correctionId: string };
      const data = { ...(body as { comment?: string }), correctionId };
      const stream = project.streamName(projectId);
      const loaded = await loadWithEvents<ProjectState>(ctx, project, stream, ifMatch);
      // A correction's kind and target never change: they choose the streams the approval writes.
      // Not pending (or none): decided on the project alone, where the domain says why it is refused.
      const pending = entryOf(loaded.state.moneyCorrections, correctionId);
      const correction = pending?.status === 'pending' ? pending.correction : undefined;
      if (correction?.kind === 'payment_refund') {
        const steps = await assessContractPayment(ctx, projectId, correction.paymentId, 'reversal', {
          reversedOn: correction.reversedOn,
          reason: pending!.reason,
          ifMatch,
          command: ({ actor, at }) => ({ type: 'ApproveMoneyCorrection', actor, at, data }),
        });
        return { primary: steps.find((s) => s.stream === stream) ?? steps[0]!, steps, resourceId: correctionId };
      }
      if (correction?.kind === 'payment_bank_reference') {
        const { paymentId } = correction;
        const wrong = entryOf(loaded.state.payments, paymentId)?.bankReference ?? correction.previousBankReference;
        const claimant = { kind: 'contract_payment' as const, id: claimantId(projectId, paymentId) };
        const steps = await executeAcross(ctx, {
          parts: [
            { aggregate: project, stream, ifMatch },
            { aggregate: bankReference, stream: bankReference.streamName(wrong) },
            { aggregate: bankReference, stream: bankReference.streamName(correction.bankReference) },
          ],
          type: 'ApproveMoneyCorrection',
          data,
          step: 'approve-correction',
          decide(command, [p, oldRef, newRef]) {
            const events = project.decider.decide(command as ProjectCommand, p as ProjectState);
            const approved = events.find((e) => e.type === 'MoneyCorrectionApproved');
            if (approved?.type !== 'MoneyCorrectionApproved' || approved.data.correction.kind !== 'payment_bank_reference') throw new Error(`approving ${correctionId} decided no bank-reference correction`);
            if (approved.data.correction.previousBankReference !== wrong) {
              throw appError('CONCURRENCY_CONFLICT', `payment ${paymentId} of project ${projectId} changed its bank reference meanwhile; try again`);
            }
            return [events as DecidedEvent[], ...registryEvents(command, claimant, wrong, correction.bankReference, approved.data, [oldRef, newRef])];
          },
        });
        return { primary: steps[0]!, steps, resourceId: correctionId };
      }
      // A contract amount (or a correction that does not exist or is no longer pending: the domain says which).
      const primary = await execute(ctx, { aggregate: project, stream, type: 'ApproveMoneyCorrection', data, step: 'approve-correction', ifMatch });
      return { primary, resourceId: correctionId };
    },
  });

  commandRoute(app, deps, {
    url: `${P}/money-corrections/:correctionId/rejection`,
    summary: '驳回或撤回金额更正申请 (reject or withdraw a money correction request)',
    tags: ['corrections'],
    roles: project.commandRoles.RejectMoneyCorrection,
    params: paramsSchema(`${P}/money-corrections/:correctionId/rejection`),
    body: RejectionBody,
    bodyExample: { comment: '原记录无误 (the original record is right)' },
    commandType: 'RejectMoneyCorrection',
    resources: ofProject,
    async run(ctx, { params, body, ifMatch }) {
      const { projectId, correctionId } = params as { projectId: string; correctionId: string };
      const primary = await execute(ctx, { aggregate: project, stream: project.streamName(projectId), type: 'RejectMoneyCorrection', data: { ...(body as object), correctionId }, step: 'reject-correction', ifMatch });
      return { primary, resourceId: correctionId };
    },
  });

  commandRoute(app, deps, {
    url: `${D}/corrections`,
    summary: '申请更正已支付的拨付：银行流水号或追回（项目结束后亦可）(request a correction of a paid disbursement: its bank reference, or a clawback, also after the project ended)',
    description: 'Four eyes: another finance officer approves it, and it takes effect at the approval. The request names the original event (the payment, or the correction that last set its bank reference).',
    tags: ['corrections'],
    roles: disbursement.commandRoles.RequestDisbursementCorrection,
    params: paramsSchema(`${D}/corrections`),
    body: DisbursementCorrectionBody,
    bodyExample: { correctionId: 'dcorr-1', correction: { kind: 'clawback', clawbackId: 'cb-2', amount: 2500000, decidedOn: '2021-03-01', basis: '2020年度审计报告 (audit report 2020)' }, reason: '审计发现超额拨付 (audit found an overpayment)' },
    created: true,
    commandType: 'RequestDisbursementCorrection',
    resources: ofDisbursement,
    async run(ctx, { params, body, ifMatch }) {
      const { disbursementId } = params as { disbursementId: string };
      const input = body as z.infer<typeof DisbursementCorrectionBody>;
      const correctionId = input.correctionId ?? ctx.env.newId();
      const correction = input.correction.kind === 'clawback' ? { ...input.correction, clawbackId: input.correction.clawbackId ?? correctionId } : input.correction;
      const stream = disbursement.streamName(disbursementId);
      const loaded = await loadWithEvents(ctx, disbursement, stream, ifMatch);
      const corrects = disbursementOriginal(loaded.events, correction.kind);
      const data = { correctionId, correction, reason: input.reason, corrects };
      const primary = await execute(ctx, { aggregate: disbursement, stream, type: 'RequestDisbursementCorrection', data, step: 'request-correction', ifMatch });
      return { primary, resourceId: correctionId, location: `/v1/disbursements/${disbursementId}` };
    },
  });

  commandRoute(app, deps, {
    url: `${D}/corrections/:correctionId/approval`,
    summary: '批准拨付更正（不得由申请人批准），更正在批准时生效 (approve a disbursement correction, never by its requester; it takes effect now)',
    description:
      'One atomic append: a bank reference replaced on the disbursement, the wrong one released and the right one claimed (BANK_REFERENCE_ALREADY_USED when another payment holds it); a clawback recorded on the disbursement and recovered on its entitlement.',
    tags: ['corrections'],
    roles: disbursement.commandRoles.ApproveDisbursementCorrection,
    params: paramsSchema(`${D}/corrections/:correctionId/approval`),
    body: ApprovalBody,
    bodyExample: { comment: '已核对 (checked)' },
    commandType: 'ApproveDisbursementCorrection',
    resources: ofDisbursement,
    async run(ctx, { params, body, ifMatch }) {
      const { disbursementId, correctionId } = params as { disbursementId: string; correctionId: string };
      const data = { ...(body as { comment?: string }), correctionId };
      const stream = disbursement.streamName(disbursementId);
      const loaded = await loadWithEvents<DisbursementState>(ctx, disbursement, stream, ifMatch);
      const pending = entryOf(loaded.state.corrections, correctionId);
      const correction = pending?.status === 'pending' ? pending.correction : undefined;
      const asCommand = (command: DomainCommand) => command as DisbursementCommand;
      if (correction?.kind === 'bank_reference') {
        const wrong = loaded.state.bankReference ?? correction.previousBankReference;
        const claimant = { kind: 'disbursement' as const, id: disbursementId };
        const steps = await executeAcross(ctx, {
          parts: [
            { ...disbursementPart(disbursementId), ifMatch },
            { aggregate: bankReference, stream: bankReference.streamName(wrong) },
            { aggregate: bankReference, stream: bankReference.streamName(correction.bankReference) },
          ],
          type: 'ApproveDisbursementCorrection',
          data,
          step: 'approve-correction',
          decide(command, [d, oldRef, newRef]) {
            const events = decideDisbursement(asCommand(command), d as DisbursementState, null).disbursement;
            const approved = events.find((e) => e.type === 'DisbursementCorrectionApproved');
            if (approved?.type !== 'DisbursementCorrectionApproved' || approved.data.correction.kind !== 'bank_reference') throw new Error(`approving ${correctionId} decided no bank-reference correction`);
            if (approved.data.correction.previousBankReference !== wrong) {
              throw appError('CONCURRENCY_CONFLICT', `disbursement ${disbursementId} changed its bank reference meanwhile; try again`);
            }
            return [events as DecidedEvent[], ...registryEvents(command, claimant, wrong, correction.bankReference, approved.data, [oldRef, newRef])];
          },
        });
        return { primary: steps[0]!, steps, resourceId: correctionId };
      }
      // A clawback moves money against the entitlement: decided with it, appended with it.
      const ref = loaded.state.entitlement;
      const entitled = correction?.kind === 'clawback' && ref !== null ? entitlementPart(ref) : null;
      const steps = await executeAcross(ctx, {
        parts: [{ ...disbursementPart(disbursementId), ifMatch }, ...(entitled ? [entitled.part] : [])],
        type: 'ApproveDisbursementCorrection',
        data,
        step: 'approve-correction',
        decide(command, states) {
          const decided = decideDisbursement(asCommand(command), states[0] as DisbursementState, entitled ? entitled.view(states[1]) : null);
          return [decided.disbursement, ...(entitled ? [decided.entitlement] : [])] as DecidedEvent[][];
        },
      });
      return { primary: steps[0]!, steps, resourceId: correctionId };
    },
  });

  commandRoute(app, deps, {
    url: `${D}/corrections/:correctionId/rejection`,
    summary: '驳回或撤回拨付更正申请 (reject or withdraw a disbursement correction request)',
    tags: ['corrections'],
    roles: disbursement.commandRoles.RejectDisbursementCorrection,
    params: paramsSchema(`${D}/corrections/:correctionId/rejection`),
    body: RejectionBody,
    bodyExample: { comment: '原记录无误 (the original record is right)' },
    commandType: 'RejectDisbursementCorrection',
    resources: ofDisbursement,
    async run(ctx, { params, body, ifMatch }) {
      const { disbursementId, correctionId } = params as { disbursementId: string; correctionId: string };
      const primary = await execute(ctx, { aggregate: disbursement, stream: disbursement.streamName(disbursementId), type: 'RejectDisbursementCorrection', data: { ...(body as object), correctionId }, step: 'reject-correction', ifMatch });
      return { primary, resourceId: correctionId };
    },
  });
}

/**
 * The registry's side of a corrected bank reference, in the approval's append: the wrong reference
 * released by its payment, the right one claimed for it (refused when another payment holds it).
 */
function registryEvents(
  command: DomainCommand,
  claimant: { kind: 'disbursement' | 'contract_payment'; id: string },
  wrong: string,
  right: string,
  approved: { reason: string; corrects: { eventId: string; type: string } },
  [oldRef, newRef]: unknown[],
): DecidedEvent[][] {
  const as = (data: BankReferenceCommand['data'], type: BankReferenceCommand['type']) => ({ type, actor: command.actor, at: command.at, data }) as BankReferenceCommand;
  const released = bankReference.decider.decide(as({ bankReference: wrong, claimant, reason: approved.reason, corrects: approved.corrects }, 'ReleaseBankReference'), oldRef as never);
  const claimed = bankReference.decider.decide(as({ bankReference: right, claimant }, 'ClaimBankReference'), newRef as never);
  return [released as DecidedEvent[], claimed as DecidedEvent[]];
}
