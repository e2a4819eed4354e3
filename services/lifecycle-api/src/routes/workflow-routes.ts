import { bureauLevel, decideSubmission, requireNotWithdrawn, domainError, Id, IsoDate, PositiveFen, decideContractPayment, entryOf, type ProjectEvent, ledgerOf, parseCommand, proseText, programme, programmeSnapshot, project, bankReference, r2Ledger, r3Ledger } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import type { BureauAccess, ResourceRef } from '../bureaus/access.js';
import { z } from 'zod';
import { execute, stale } from '../commands/execute.js';
import { executeAcross } from '../commands/execute-across.js';
import { loadAggregate } from '../commands/load.js';
import { assessContractPayment } from '../workflows/r2-assessment.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { bodySchema, paramsSchema } from './simple-command.js';

const projectLocation = (id: string) => `/v1/projects/${id}`;
/** Attempts of a submission whose programme stream moved (another submission to it) before it is 409. */
const SUBMIT_ATTEMPTS = 25;
const programmeNotFound = (programmeId: string) => () => appError('NOT_FOUND', `programme ${programmeId} does not exist`);
const ofProject = ({ params }: { params: unknown }): ResourceRef[] => [{ kind: 'project', id: (params as { projectId: string }).projectId }];
const ofPayment = ({ params }: { params: unknown }): ResourceRef[] => {
  const { projectId, paymentId } = params as { projectId: string; paymentId: string };
  return [{ kind: 'project', id: projectId, notFound: () => appError('NOT_FOUND', `project ${projectId} has no confirmed payment ${paymentId}`) }];
};

function confirmedPayment(events: readonly ProjectEvent[], projectId: string, paymentId: string): { enterpriseCreditCode: string; paidOn: string } {
  const payment = events.find((e) => e.type === 'ContractPaymentConfirmed');
  if (payment?.type !== 'ContractPaymentConfirmed') throw new Error(`project ${projectId} did not confirm payment ${paymentId}`);
  return payment.data;
}

export function claimantId(projectId: string, paymentId: string): string {
  const readable = `${projectId}.${paymentId}`;
  return readable.length <= 64 ? readable : readable.slice(-64).replace(/^[^A-Za-z0-9]+/, '');
}

/** A proposal's county bureau: a county-level bureau within the programme's bureau, registered or not, and not merged. */
async function requireCountyUnder(bureaus: BureauAccess, countyCode: string, bureauCode: string): Promise<void> {
  const directory = await bureaus.directory();
  if (bureauLevel(countyCode) !== 'county' || !directory.isWithin(countyCode, bureauCode) || directory.isMerged(countyCode)) {
    throw domainError('COUNTY_NOT_UNDER_BUREAU', `${countyCode} 不是 ${bureauCode} 所辖的县（区）科技部门 (the county must be a county-level bureau under the programme's bureau)`, { countyCode, bureauCode });
  }
}

/** The commands that span streams: each step guarded by one stream, in the order the domain README gives. */
export function registerWorkflows(app: HttpApp, deps: CommandDeps): void {
  commandRoute(app, deps, {
    url: '/v1/programmes/:programmeId/proposals',
    summary: 'Submit a proposal to a programme (the programme policy is copied onto the project)',
    tags: ['solicitation'],
    roles: project.commandRoles.SubmitProject,
    params: paramsSchema('/v1/programmes/:programmeId/proposals'),
    body: bodySchema('SubmitProject', ['programme'], ['projectId']),
    bodyExample: {
      projectId: 'p-pump-01',
      title: 'High-efficiency submersible pump hydraulics',
      leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: '91331000MA2AB12341' },
      partners: [{ name: 'Zhejiang Valve Co.', creditCode: '52331000MA2K12345W' }],
      industry: 'pumps',
      county: 'Wenling',
      principalInvestigator: { name: 'Wang Wei', title: 'Chief engineer' },
      keyTechnologies: ['hydraulic model optimisation', 'permanent-magnet motor'],
      requestedFunding: 300000000,
      countyCode: '331081',
    },
    created: true,
    commandType: 'SubmitProject',
    resources: ({ params, body }) => {
      const { programmeId } = params as { programmeId: string };
      const { projectId } = body as { projectId?: string };
      // A project id another bureau already uses answers as that project would (404 or 403), never "exists".
      return [{ kind: 'programme', id: programmeId, notFound: programmeNotFound(programmeId) }, ...(projectId === undefined ? [] : [{ kind: 'project' as const, id: projectId }])];
    },
    async run(ctx, { params, body, ifMatch }) {
      const { programmeId } = params as { programmeId: string };
      const loaded = await loadAggregate(ctx.store, programme, programme.streamName(programmeId), { cache: ctx.cache });
      if (loaded.state.status === 'none') throw programmeNotFound(programmeId)();
      const { countyCode } = body as { countyCode?: string };
      // The programme's bureau never changes: checked once, before the decision.
      if (countyCode !== undefined) await requireCountyUnder(deps.bureaus, countyCode, loaded.state.bureauCode);
      const data: Record<string, unknown> = { ...(body as Record<string, unknown>) };
      const projectId = String(data.projectId ?? ctx.env.newId());
      data.projectId = projectId;
      const at = ctx.env.now().toISOString();
      // The submission records itself on the programme (ProposalReceived) in the same atomic append,
      // with the programme's expected revision: decided on the window and policy in force when it
      // commits, so it cannot slip in under a window an amendment replaced (see decideSubmission).
      const steps = await executeAcross(ctx, {
        parts: { programme: { aggregate: programme, stream: programme.streamName(programmeId) }, project: { aggregate: project, stream: project.streamName(projectId) } },
        step: 'submit',
        ifMatch: ifMatch === undefined ? undefined : { part: 'project', revision: ifMatch },
        // Submissions to one programme meet on its stream: each lost race is decided again.
        maxAttempts: SUBMIT_ATTEMPTS,
        decide: (states) => {
          requireNotWithdrawn(states.programme);
          const current = programmeSnapshot(states.programme);
          if (current === null) throw programmeNotFound(programmeId)();
          const command = parseCommand({ type: 'SubmitProject', actor: ctx.actor, at, data: { ...data, programme: current } });
          if (command.type !== 'SubmitProject') throw new Error(`parsed ${command.type} for SubmitProject`);
          const { programme: _snapshot, ...proposal } = command.data;
          return decideSubmission({ ...command, data: proposal }, states);
        },
      });
      const primary = steps.project;
      return { primary, steps: [steps.programme, steps.project], resourceId: projectId, location: projectLocation(projectId) };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/projects/:projectId/contracts/:contractId/payments',
    summary: 'Confirm a bank payment on a conversion contract; the R2 subsidy is assessed on the enterprise-year ledger',
    description: 'Writes the bank-reference claim, the payment on the project, the assessment on subsidy-<creditCode>-<year>, and the assessment back on the project. If the process stops in between, the payment shows as pending assessment and is completed on restart.',
    tags: ['promotion'],
    roles: project.commandRoles.ConfirmContractPayment,
    params: paramsSchema('/v1/projects/:projectId/contracts/:contractId/payments'),
    body: bodySchema('ConfirmContractPayment', ['contractId'], ['paymentId']),
    bodyExample: { paymentId: 'pay1', amount: 200000000, bankReference: 'ICBC-2019-1008-0001', paidOn: '2019-10-08' },
    created: true,
    commandType: 'ConfirmContractPayment',
    resources: ofProject,
    async run(ctx, { params, body, ifMatch }) {
      const { projectId, contractId } = params as { projectId: string; contractId: string };
      const data: Record<string, unknown> = { ...(body as Record<string, unknown>), contractId };
      data.paymentId ??= ctx.env.newId();
      const paymentId = String(data.paymentId);
      const stream = project.streamName(projectId);
      const command = parseCommand({ type: 'ConfirmContractPayment', actor: ctx.actor, at: ctx.env.now().toISOString(), data });
      if (command.type !== 'ConfirmContractPayment') throw new Error(`parsed ${command.type} for ConfirmContractPayment`);
      // Which ledger assesses the payment follows from the payment itself (the beneficiary is fixed by
      // the contract's parties and the policy; the year by the paid-on date): decide it once to learn it.
      const current = await loadAggregate(ctx.store, project, stream, { cache: ctx.cache, trustCache: false });
      if (ifMatch !== undefined && current.revision !== ifMatch) throw stale(stream, ifMatch, current.revision);
      // A payment already there (a retried request whose first run wrote it) names its own ledger;
      // the decision below then finds its own events, or refuses a different request.
      const ledgerStream = ledgerOf(entryOf(current.state.payments, paymentId) ?? confirmedPayment(project.decider.decide(command, current.state), projectId, paymentId), current.state.bureauCode);
      const steps = await executeAcross(ctx, {
        parts: {
          bankReference: { aggregate: bankReference, stream: bankReference.streamName(command.data.bankReference) },
          project: { aggregate: project, stream },
          ledger: { aggregate: r2Ledger, stream: ledgerStream },
        },
        step: 'confirm-payment',
        ifMatch: ifMatch === undefined ? undefined : { part: 'project', revision: ifMatch },
        decide(states) {
          const events = decideContractPayment({ actor: command.actor, at: command.at, data: command.data, claimantId: claimantId(projectId, paymentId) }, states);
          const assessed = events.project.find((e) => e.type === 'SubsidyAssessmentRecorded');
          if (assessed?.type === 'SubsidyAssessmentRecorded' && assessed.data.ledgerStream !== ledgerStream) {
            throw appError('CONCURRENCY_CONFLICT', `payment ${paymentId} of project ${projectId} would now be assessed on ${assessed.data.ledgerStream}, not ${ledgerStream}; try again`);
          }
          return events;
        },
      });
      return { primary: steps.project, steps: [steps.bankReference, steps.project, steps.ledger], resourceId: paymentId, location: projectLocation(projectId) };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/projects/:projectId/payments/:paymentId/reversal',
    summary: 'Record that a confirmed bank payment was refunded; the R2 entitlement is recomputed and a clawback assessed',
    tags: ['promotion'],
    roles: project.commandRoles.ReverseContractPayment,
    params: paramsSchema('/v1/projects/:projectId/payments/:paymentId/reversal'),
    body: bodySchema('ReverseContractPayment', ['paymentId']),
    bodyExample: { reversedOn: '2019-11-20', reason: 'Buyer refunded after a quality dispute' },
    commandType: 'ReverseContractPayment',
    resources: ofPayment,
    async run(ctx, { params, body, ifMatch }) {
      const { projectId, paymentId } = params as { projectId: string; paymentId: string };
      const stream = project.streamName(projectId);
      const { reversedOn, reason } = body as { reversedOn: string; reason: string };
      const steps = await assessContractPayment(ctx, projectId, paymentId, 'reversal', { reversedOn, reason, ifMatch });
      const primary = steps.find((s) => s.stream === stream) ?? steps[0];
      if (!primary) throw new Error(`reversing payment ${paymentId} of project ${projectId} wrote nothing`);
      return { primary, steps, resourceId: paymentId };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/projects/:projectId/payments/:paymentId/assessment',
    summary: 'Complete a pending R2 assessment of a payment or reversal (normally done at once, or by the re-driver after a restart)',
    tags: ['promotion'],
    roles: project.commandRoles.RecordSubsidyAssessment,
    params: paramsSchema('/v1/projects/:projectId/payments/:paymentId/assessment'),
    body: z.strictObject({ step: z.enum(['payment', 'reversal']) }),
    bodyExample: { step: 'payment' },
    commandType: 'RecordSubsidyAssessment',
    resources: ofPayment,
    async run(ctx, { params, body }) {
      const { projectId, paymentId } = params as { projectId: string; paymentId: string };
      const steps = await assessContractPayment(ctx, projectId, paymentId, (body as { step: 'payment' | 'reversal' }).step);
      return { primary: steps[steps.length - 1]!, steps, resourceId: paymentId };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/subsidy-ledgers/r3/:creditCode/:year/transactions',
    summary: "Record an R3 in-city technology-transfer transaction of an institution, under a programme's policy",
    tags: ['subsidy ledgers'],
    roles: r3Ledger.commandRoles.RecordR3Transaction,
    params: paramsSchema('/v1/subsidy-ledgers/r3/:creditCode/:year/transactions'),
    body: z.strictObject({
      programmeId: Id,
      transactionId: Id.optional(),
      amount: PositiveFen,
      occurredOn: IsoDate,
      inCity: z.boolean(),
      description: proseText(200),
    }),
    bodyExample: { programmeId: 'tz-2018', transactionId: 'tx-1', amount: 400000000, occurredOn: '2019-05-10', inCity: true, description: 'Licence brokered for Huangyan Mould Co.' },
    created: true,
    commandType: 'RecordR3Transaction',
    resources: ({ body }) => {
      const { programmeId } = body as { programmeId: string };
      return [{ kind: 'programme', id: programmeId, notFound: programmeNotFound(programmeId) }];
    },
    async run(ctx, { params, body, ifMatch }) {
      const { creditCode, year } = params as { creditCode: string; year: number };
      const { programmeId, ...rest } = body as { programmeId: string; transactionId?: string } & Record<string, unknown>;
      const prog = await loadAggregate(ctx.store, programme, programme.streamName(programmeId), { cache: ctx.cache });
      if (!prog.state.policy) throw programmeNotFound(programmeId)();
      // A withdrawn programme grants nothing new (checked on the programme as read: the ledger is its own stream).
      requireNotWithdrawn(prog.state);
      const transactionId = rest.transactionId ?? ctx.env.newId();
      const primary = await execute(ctx, {
        aggregate: r3Ledger,
        // The cap is the programme's bureau's (the caller's own: checked above).
        stream: r3Ledger.streamName(prog.state.bureauCode, creditCode, year),
        type: 'RecordR3Transaction',
        step: 'record',
        ifMatch,
        data: { ...rest, transactionId, bureauCode: prog.state.bureauCode, creditCode, year, policy: { r3RateBps: prog.state.policy.r3RateBps, r3AnnualCap: prog.state.policy.r3AnnualCap } },
      });
      return { primary, resourceId: transactionId, location: `/v1/subsidy-ledgers/r3/${creditCode}/${year}` };
    },
  });
}
