import {
  bankReference,
  BankReference,
  decideDisbursement,
  disbursement,
  project,
  r1EntitlementView,
  r3EntitlementViews,
  r3Ledger,
  type BankReferenceCommand,
  type DisbursementCommand,
  type DisbursementState,
  type DomainCommand,
  type ProjectCommand,
  type ProjectState,
  type R3LedgerCommand,
  type R3LedgerState,
} from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { bureauOfRef, describeEntitlement, domainError, Id, type EntitlementRef } from '@gongguan/domain';
import type { ResourceRef } from '../bureaus/access.js';
import { entitlementPart, disbursementPart } from '../commands/entitlements.js';
import type { CommandContext } from '../commands/execute.js';
import { executeAcross, type AcrossPart, type DecidedEvent } from '../commands/execute-payout.js';
import { loadAggregate } from '../commands/load.js';
import { decideWithReclaims } from '../workflows/reclaim.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { bodySchema, paramsSchema, simpleCommand } from './simple-command.js';

const D = '/v1/disbursements/:disbursementId';

function asDisbursementCommand(command: DomainCommand): DisbursementCommand {
  if (!Object.hasOwn(disbursement.commandSchemas, command.type)) throw new Error(`${command.type} is not a disbursement command`);
  return command as DisbursementCommand;
}

/**
 * A command on a disbursement that moves money (cancel, pay, return, claw back): decided on the
 * disbursement and on the entitlement it pays, appended to both streams at once. A legacy (v1)
 * disbursement names no entitlement and is decided on its own stream. `extra` adds streams
 * decided before it (the bank-reference claim of a payment).
 */
async function onDisbursement(
  ctx: CommandContext,
  input: { disbursementId: string; type: DisbursementCommand['type']; data: Record<string, unknown>; step: string; ifMatch: number | undefined },
  extra?: { part: AcrossPart; decide(command: DomainCommand, state: unknown): DecidedEvent[] },
) {
  const { disbursementId, type, data, step, ifMatch } = input;
  const stream = disbursement.streamName(disbursementId);
  const current = await loadAggregate(ctx.store, disbursement, stream, { cache: ctx.cache });
  const ref = current.state.entitlement;
  const entitled = ref === null ? null : entitlementPart(ref);
  const parts: AcrossPart[] = [{ ...disbursementPart(disbursementId), ifMatch }, ...(entitled ? [entitled.part] : []), ...(extra ? [extra.part] : [])];
  const steps = await executeAcross(ctx, {
    parts,
    type,
    data,
    step,
    decide(command, states) {
      const extraEvents = extra ? extra.decide(command, states[states.length - 1]) : [];
      const decided = decideDisbursement(asDisbursementCommand(command), states[0] as DisbursementState, entitled ? entitled.view(states[1]) : null);
      return [decided.disbursement, ...(entitled ? [decided.entitlement] : []), ...(extra ? [extraEvents] : [])] as DecidedEvent[][];
    },
  });
  return { primary: steps[0]!, steps, resourceId: disbursementId };
}

const ClawbackBody = bodySchema('ClawBackDisbursement', [], ['clawbackId']);
const ofDisbursement = ({ params }: { params: unknown }): ResourceRef[] => [{ kind: 'disbursement', id: (params as { disbursementId: string }).disbursementId }];

/**
 * Whose an entitlement is: R1 and R2 follow their project's bureau, an R3 ledger is the bureau it
 * names (the caller's own when it names none).
 */
function entitlementOwner(ref: EntitlementRef, caller: string): ResourceRef {
  // Outside the caller's reach an entitlement answers as one that does not exist (ids do not leak):
  // ENTITLEMENT_NOT_FOUND naming the ledger the request would have used — the caller's own for R2,
  // the one it named for R3 — never PROJECT_NOT_FOUND, which only a project that exists elsewhere gave.
  const missing = (bureau: string) => () => {
    const named: EntitlementRef = ref.rule === 'R1' ? ref : { ...withoutBureau(ref), ...bureauOfRef(bureau) };
    return domainError('ENTITLEMENT_NOT_FOUND', `there is no ${ref.rule} entitlement ${describeEntitlement(named)}`);
  };
  if (ref.rule !== 'R3') return { kind: 'project', id: ref.projectId, notFound: missing(caller) };
  const bureau = ref.bureauCode ?? caller;
  return { kind: 'bureau', code: bureau, notFound: missing(bureau) };
}

function withoutBureau<R extends EntitlementRef>(ref: R): R {
  const { bureauCode: _bureau, ...rest } = ref as R & { bureauCode?: string };
  return rest as R;
}

export function registerMoneyCommands(app: HttpApp, deps: CommandDeps): void {
  commandRoute(app, deps, {
    url: '/v1/disbursements',
    summary: 'Request the payment of an entitlement (the R1 grant, an R2 or R3 ledger entry): the amount is what it still owes',
    description:
      'The body names the entitlement; the server decides the amount (granted − clawed back − what live disbursements already hold) on the entitlement\'s stream and appends the claim there and the request on the disbursement in one atomic append. ENTITLEMENT_NOT_FOUND (404) when there is no such entitlement, ENTITLEMENT_SETTLED (409) when it owes nothing, PAYEE_MISMATCH (409) when the payee is not whom it is owed to.',
    tags: ['disbursements'],
    roles: disbursement.commandRoles.RequestDisbursement,
    params: z.strictObject({}),
    body: bodySchema('RequestDisbursement', [], ['disbursementId']),
    bodyExample: {
      disbursementId: 'r2-pay1',
      entitlement: { rule: 'R2', creditCode: '91331000MA2AB12341', year: 2019, projectId: 'p-pump-01', paymentId: 'pay1' },
      payee: { name: 'Taizhou Pump Co.', creditCode: '91331000MA2AB12341' },
    },
    created: true,
    commandType: 'RequestDisbursement',
    resources: ({ body, bureau }) => [entitlementOwner((body as { entitlement: EntitlementRef }).entitlement, bureau)],
    async run(ctx, { body }) {
      const data = { ...(body as Record<string, unknown>) };
      data.disbursementId ??= ctx.env.newId();
      const disbursementId = String(data.disbursementId);
      const named = (body as { entitlement: EntitlementRef }).entitlement;
      // The ledger of an R2 or R3 entitlement is the caller's bureau's (checked above): named in the
      // reference unless it is the legacy bureau's, as in its stream name.
      if (named.rule !== 'R1') {
        const { bureauCode: _sent, ...rest } = named;
        data.entitlement = { ...rest, ...bureauOfRef(ctx.bureau) };
      }
      const { entitlement } = disbursement.commandSchemas.RequestDisbursement.parse(data);
      const entitled = entitlementPart(entitlement);
      const steps = await executeAcross(ctx, {
        parts: [disbursementPart(disbursementId), entitled.part],
        type: 'RequestDisbursement',
        data,
        step: 'request',
        decide(command, [d, e]) {
          const decided = decideDisbursement(asDisbursementCommand(command), d as DisbursementState, entitled.view(e));
          return [decided.disbursement, decided.entitlement] as DecidedEvent[][];
        },
      });
      return { primary: steps[0]!, steps, resourceId: disbursementId, location: `/v1/disbursements/${disbursementId}` };
    },
  });

  simpleCommand(app, deps, {
    url: `${D}/approval`,
    type: 'ApproveDisbursement',
    aggregate: 'disbursement',
    resource: (p) => ({ kind: 'disbursement', id: p.disbursementId! }),
    stream: (p) => disbursement.streamName(p.disbursementId!),
    tags: ['disbursements'],
    summary: 'Approve a payment (never by its requester)',
    example: { comment: 'Checked against the ledger' },
  });

  const moving = [
    { url: `${D}/cancellation`, type: 'CancelDisbursement', summary: 'Cancel a payment that was not paid; its entitlement owes it again', example: { reason: 'Requested twice' } },
    { url: `${D}/reversal`, type: 'ReverseDisbursement', summary: 'The bank returned the whole payment; its entitlement owes it again', example: { reversedOn: '2019-11-02', reason: 'Account closed' } },
  ] as const;
  for (const def of moving) {
    commandRoute(app, deps, {
      url: def.url,
      summary: def.summary,
      tags: ['disbursements'],
      roles: disbursement.commandRoles[def.type],
      params: paramsSchema(def.url),
      body: bodySchema(def.type),
      bodyExample: def.example,
      commandType: def.type,
      resources: ofDisbursement,
      async run(ctx, { params, body, ifMatch }) {
        const { disbursementId } = params as { disbursementId: string };
        return onDisbursement(ctx, { disbursementId, type: def.type, data: body as Record<string, unknown>, step: def.type, ifMatch });
      },
    });
  }

  commandRoute(app, deps, {
    url: `${D}/clawbacks`,
    summary: 'Claw money back after an audit finding (forfeited: the entitlement does not owe it again)',
    description: 'A reversal of the entitlement itself (an R2 payment refunded, an R3 transaction reversed) claws back by itself; this is for findings.',
    tags: ['disbursements'],
    roles: disbursement.commandRoles.ClawBackDisbursement,
    params: paramsSchema(`${D}/clawbacks`),
    body: ClawbackBody,
    bodyExample: { clawbackId: 'cb-1', amount: 2500000, decidedOn: '2019-12-01', reason: 'Audit finding 2019-07', basis: 'Audit report 2019-07' },
    commandType: 'ClawBackDisbursement',
    resources: ofDisbursement,
    async run(ctx, { params, body, ifMatch }) {
      const { disbursementId } = params as { disbursementId: string };
      const data = { ...(body as Record<string, unknown>) };
      data.clawbackId ??= ctx.env.newId();
      const result = await onDisbursement(ctx, { disbursementId, type: 'ClawBackDisbursement', data, step: 'claw-back', ifMatch });
      return { ...result, resourceId: String(data.clawbackId) };
    },
  });

  commandRoute(app, deps, {
    url: `${D}/payment`,
    summary: 'Record the bank payment of an approved disbursement (a bank reference is paid once; the entitlement must still cover it)',
    description: 'One atomic append: the bank reference claimed, the disbursement paid, the claim on its entitlement marked paid. ENTITLEMENT_REDUCED (409) when the entitlement was reduced since the request.',
    tags: ['disbursements'],
    roles: disbursement.commandRoles.RecordDisbursementPayment,
    params: paramsSchema(`${D}/payment`),
    body: bodySchema('RecordDisbursementPayment'),
    bodyExample: { bankReference: 'ICBC-2018-0815-0001', paidOn: '2018-08-15' },
    commandType: 'RecordDisbursementPayment',
    resources: ofDisbursement,
    async run(ctx, { params, body, ifMatch }) {
      const { disbursementId } = params as { disbursementId: string };
      const data = body as { bankReference: string; paidOn: string };
      const claim = { bankReference: data.bankReference, claimant: { kind: 'disbursement', id: disbursementId } };
      return onDisbursement(
        ctx,
        { disbursementId, type: 'RecordDisbursementPayment', data, step: 'pay', ifMatch },
        {
          part: { aggregate: bankReference, stream: bankReference.streamName(BankReference.parse(data.bankReference)) },
          decide: (command, state) =>
            bankReference.decider.decide({ type: 'ClaimBankReference', actor: command.actor, at: command.at, data: claim } as BankReferenceCommand, state as never) as DecidedEvent[],
        },
      );
    },
  });

  commandRoute(app, deps, {
    url: '/v1/projects/:projectId/grants/r1',
    summary: 'Award the one-time R1 selection grant and request its payment, in one atomic append',
    tags: ['disbursements'],
    roles: project.commandRoles.AwardSelectionGrant,
    params: paramsSchema('/v1/projects/:projectId/grants/r1'),
    body: z.strictObject({ disbursementId: Id.optional() }),
    bodyExample: { disbursementId: 'r1-p-pump-01' },
    created: true,
    commandType: 'AwardSelectionGrant',
    resources: ({ params }) => [{ kind: 'project', id: (params as { projectId: string }).projectId }],
    async run(ctx, { params, body }) {
      const { projectId } = params as { projectId: string };
      const disbursementId = (body as { disbursementId?: string }).disbursementId ?? `r1-${projectId}`.slice(0, 64);
      const steps = await executeAcross(ctx, {
        parts: [{ aggregate: project, stream: project.streamName(projectId) }, disbursementPart(disbursementId)],
        type: 'AwardSelectionGrant',
        data: { disbursementId },
        step: 'award',
        decide(command, [p, d]) {
          const before = p as ProjectState;
          const awarded = project.decider.decide(command as ProjectCommand, before);
          const disbursementState = d as DisbursementState;
          if (awarded.length === 0 && disbursementState.status !== 'none') return [[], []];
          const after = awarded.reduce(project.decider.evolve, before);
          const lead = after.leadEnterprise;
          if (lead === null) throw appError('NOT_FOUND', `project ${projectId} does not exist`);
          const request: DisbursementCommand = {
            type: 'RequestDisbursement',
            actor: command.actor,
            at: command.at,
            data: { disbursementId, entitlement: { rule: 'R1', projectId }, payee: lead },
          };
          const decided = decideDisbursement(request, disbursementState, r1EntitlementView({ ...after, projectId }));
          return [[...awarded, ...decided.entitlement], decided.disbursement] as DecidedEvent[][];
        },
      });
      return { primary: steps[1]!, steps, resourceId: disbursementId, location: `/v1/disbursements/${disbursementId}` };
    },
  });

  commandRoute(app, deps, {
    url: '/v1/subsidy-ledgers/r3/:creditCode/:year/transactions/:transactionId/reversal',
    summary: 'Reverse an R3 transaction; the entitlement is recomputed and what was paid beyond it clawed back, in one atomic append',
    tags: ['subsidy ledgers'],
    roles: r3Ledger.commandRoles.ReverseR3Transaction,
    params: paramsSchema('/v1/subsidy-ledgers/r3/:creditCode/:year/transactions/:transactionId/reversal'),
    body: bodySchema('ReverseR3Transaction', ['transactionId']),
    bodyExample: { reversedOn: '2019-12-01', reason: 'Transaction cancelled' },
    commandType: 'ReverseR3Transaction',
    // The caller's own bureau's ledger, by construction.
    resources: () => [],
    async run(ctx, { params, body, ifMatch }) {
      const { creditCode, year, transactionId } = params as { creditCode: string; year: number; transactionId: string };
      const data = { ...(body as { reversedOn: string; reason: string }), transactionId };
      const stream = r3Ledger.streamName(ctx.bureau, creditCode, year);
      const steps = await decideWithReclaims(ctx, {
        parts: [{ aggregate: r3Ledger, stream, ifMatch }],
        type: 'ReverseR3Transaction',
        data,
        step: 'reverse',
        reclaim: { clawbackId: `r3-${ctx.env.newId()}`, decidedOn: data.reversedOn, reason: data.reason },
        claimsOf: (ledger) => (ledger as R3LedgerState).claims,
        views: (ledger) => r3EntitlementViews(ledger as R3LedgerState),
        decide(command, [ledgerState]) {
          const ledger = ledgerState as R3LedgerState;
          const events = r3Ledger.decider.decide(command as R3LedgerCommand, ledger);
          return { events: [events as DecidedEvent[]], ledgerAfter: events.reduce(r3Ledger.decider.evolve, ledger) };
        },
      });
      return { primary: steps[0]!, steps, resourceId: transactionId };
    },
  });
}
