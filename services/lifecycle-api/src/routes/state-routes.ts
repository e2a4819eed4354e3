import { BankReference, entryOf, openRectifications, pendingSubsidyAssessments, type ProjectState, type Role } from '@gongguan/domain';
import type { EventStore } from '@gongguan/event-store';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { aggregates, type AggregateName } from '../commands/aggregates.js';
import type { AggregateCache } from '../commands/aggregate-cache.js';
import { loadAggregate } from '../commands/load.js';
import { paramsSchema } from './simple-command.js';

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
  stream: (params: Record<string, string>) => string;
}

const routes: StateRoute[] = [
  { url: '/v1/programmes/:programmeId', aggregate: 'programme', roles: readers, summary: 'A programme: policy, quota, places reserved', stream: (p) => aggregates.programme.streamName(p.programmeId!) },
  { url: '/v1/projects/:projectId', aggregate: 'project', roles: readers, summary: 'A project: stage, status, milestones, money, pending steps', stream: (p) => aggregates.project.streamName(p.projectId!) },
  { url: '/v1/disbursements/:disbursementId', aggregate: 'disbursement', roles: moneyReaders, summary: 'A disbursement: requested, approved, paid, reversed, clawed back', stream: (p) => aggregates.disbursement.streamName(p.disbursementId!) },
  { url: '/v1/bank-references/:bankReference', aggregate: 'bankReference', roles: moneyReaders, summary: 'Which payment a bank reference was used for', stream: (p) => aggregates.bankReference.streamName(BankReference.parse(p.bankReference)) },
  { url: '/v1/subsidy-ledgers/r2/:creditCode/:year', aggregate: 'r2Ledger', roles: moneyReaders, summary: "An enterprise's R2 ledger for a calendar year: entitlement, granted, clawed back", stream: (p) => aggregates.r2Ledger.streamName(p.creditCode!, Number(p.year)) },
  { url: '/v1/subsidy-ledgers/r3/:creditCode/:year', aggregate: 'r3Ledger', roles: moneyReaders, summary: "An institution's R3 ledger for a calendar year", stream: (p) => aggregates.r3Ledger.streamName(p.creditCode!, Number(p.year)) },
];

/** GET of each aggregate's current state, folded from its events, with its revision as ETag. */
export function registerStateRoutes(app: HttpApp, store: EventStore, cache?: AggregateCache): void {
  for (const route of routes) {
    const params = route.url.includes(':bankReference') ? z.strictObject({ bankReference: z.string().min(1).max(80) }) : paramsSchema(route.url);
    app.get(
      route.url,
      {
        config: { roles: route.roles },
        schema: { summary: route.summary, tags: ['state'], params, response: { 200: StateResponse, 304: z.null().describe('Not modified: If-None-Match equals the current ETag') } },
      },
      async (request, reply) => {
        const p = request.params as Record<string, string>;
        const stream = route.stream(p);
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
