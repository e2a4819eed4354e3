import { BankReference, BureauCode, entryOf, openRectifications, pendingSubsidyAssessments, type ProjectState, type Role } from '@gongguan/domain';
import type { EventStore } from '@gongguan/event-store';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { aggregates, type AggregateName } from '../commands/aggregates.js';
import type { AggregateCache } from '../commands/aggregate-cache.js';
import { loadAggregate } from '../commands/load.js';
import { paramsSchema } from './simple-command.js';
import { callerBureau, type BureauAccess, type ResourceRef } from '../bureaus/access.js';

const readers: Role[] = ['officer', 'reviewer', 'approver', 'finance', 'auditor'];
/** An expert reviewer reads programmes and the projects they are assigned to; nothing about money. */
const moneyReaders: Role[] = readers.filter((r) => r !== 'reviewer');

const StateResponse = z
  .object({
    stream: z.string(),
    revision: z.int().describe('Send it back as If-Match on the next command'),
    state: z.record(z.string(), z.unknown()).describe('The aggregate folded from its own events'),
    pending: z
      .array(z.object({ paymentId: z.string(), step: z.enum(['payment', 'reversal']) }))
      .optional()
      .describe('Bank payments whose R2 assessment is not recorded yet (projects only)'),
    openRectifications: z.array(z.string()).optional(),
  })
  .meta({ example: { stream: 'project-p-pump-01', revision: 7, state: { status: 'in_progress', stage: 'advancement' }, pending: [], openRectifications: [] } });

interface StateRoute {
  url: string;
  aggregate: AggregateName;
  roles: Role[];
  summary: string;
  /** Ledgers take `?bureau=` (the government whose cap it is; the caller's own by default). */
  bureauQuery?: boolean;
  stream: (params: Record<string, string>, bureau: string) => string;
  /** Whose the resource is: a read outside the caller's subtree is 404, like a missing one. */
  resource: (params: Record<string, string>, bureau: string, stream: string) => ResourceRef;
}

const missing = (stream: string) => () => appError('NOT_FOUND', `${stream} does not exist`);

const routes: StateRoute[] = [
  { url: '/v1/programmes/:programmeId', aggregate: 'programme', roles: readers, summary: 'A programme: policy, quota, places reserved', stream: (p) => aggregates.programme.streamName(p.programmeId!), resource: (p, _b, s) => ({ kind: 'programme', id: p.programmeId!, notFound: missing(s) }) },
  { url: '/v1/projects/:projectId', aggregate: 'project', roles: readers, summary: 'A project: stage, status, milestones, money, pending steps', stream: (p) => aggregates.project.streamName(p.projectId!), resource: (p, _b, s) => ({ kind: 'project', id: p.projectId!, notFound: missing(s) }) },
  { url: '/v1/disbursements/:disbursementId', aggregate: 'disbursement', roles: moneyReaders, summary: 'A disbursement: requested, approved, paid, reversed, clawed back', stream: (p) => aggregates.disbursement.streamName(p.disbursementId!), resource: (p, _b, s) => ({ kind: 'disbursement', id: p.disbursementId!, notFound: missing(s) }) },
  { url: '/v1/bank-references/:bankReference', aggregate: 'bankReference', roles: moneyReaders, summary: 'Which payment a bank reference was used for', stream: (p) => aggregates.bankReference.streamName(BankReference.parse(p.bankReference)), resource: (p, _b, s) => ({ kind: 'bankReference', reference: BankReference.parse(p.bankReference), notFound: missing(s) }) },
  { url: '/v1/subsidy-ledgers/r2/:creditCode/:year', aggregate: 'r2Ledger', roles: moneyReaders, bureauQuery: true, summary: "An enterprise's R2 ledger for a calendar year under one bureau's cap (?bureau=, the caller's by default): entitlement, granted, clawed back", stream: (p, b) => aggregates.r2Ledger.streamName(b, p.creditCode!, Number(p.year)), resource: (_p, b, s) => ({ kind: 'bureau', code: b, notFound: missing(s) }) },
  { url: '/v1/subsidy-ledgers/r3/:creditCode/:year', aggregate: 'r3Ledger', roles: moneyReaders, bureauQuery: true, summary: "An institution's R3 ledger for a calendar year under one bureau's cap (?bureau=, the caller's by default)", stream: (p, b) => aggregates.r3Ledger.streamName(b, p.creditCode!, Number(p.year)), resource: (_p, b, s) => ({ kind: 'bureau', code: b, notFound: missing(s) }) },
];

const BureauQuery = z.strictObject({ bureau: BureauCode.optional().describe("The bureau whose cap the ledger is (GB/T 2260 code); the caller's own by default. Outside the caller's subtree: 404") });

/** GET of each aggregate's current state, folded from its events, with its revision as ETag. */
export function registerStateRoutes(app: HttpApp, store: EventStore, bureaus: BureauAccess, cache?: AggregateCache): void {
  for (const route of routes) {
    const params = route.url.includes(':bankReference') ? z.strictObject({ bankReference: z.string().min(1).max(80) }) : paramsSchema(route.url);
    app.get(
      route.url,
      {
        config: { roles: route.roles },
        schema: { summary: route.summary, tags: ['state'], params, ...(route.bureauQuery ? { querystring: BureauQuery } : {}), response: { 200: StateResponse, 304: z.null().describe('Not modified: If-None-Match equals the current ETag') } },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        const caller = callerBureau(request.principal!);
        const bureau = (route.bureauQuery ? (request.query as z.infer<typeof BureauQuery>).bureau : undefined) ?? caller;
        const stream = route.stream(p, bureau);
        await bureaus.authorizeRead(caller, route.resource(p, bureau, stream));
        const loaded = await loadAggregate(store, aggregates[route.aggregate] as never, stream, { cache });
        if (loaded.revision === 'no_stream') throw appError('NOT_FOUND', `${stream} does not exist`);
        // A principal whose only reader role is `reviewer` sees a project only when assigned to it
        // (404 otherwise, the answer for a project that does not exist), and only their own score.
        const asReviewer = route.aggregate === 'project' && !request.principal!.roles.some((r) => r !== 'reviewer' && readers.includes(r));
        let state = loaded.state as Record<string, unknown>;
        if (asReviewer) {
          const own = entryOf((state as unknown as ProjectState).reviewers, request.principal!.subject);
          if (own === undefined) throw appError('NOT_FOUND', `${stream} does not exist`);
          state = { ...state, reviewers: { [request.principal!.subject]: own } };
        }
        const etag = `"${loaded.revision}"`;
        reply.header('etag', etag);
        if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
        return {
          stream,
          revision: loaded.revision,
          state,
          ...(route.aggregate === 'project'
            ? {
                pending: pendingSubsidyAssessments(state as unknown as ProjectState),
                openRectifications: openRectifications(state as unknown as ProjectState),
              }
            : {}),
        };
      },
    );
  }
}
