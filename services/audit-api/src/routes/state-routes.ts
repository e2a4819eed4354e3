import { IsoInstant, queryText } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { diffAsOf } from '../state/diff.js';
import { aggregateStream, stateAsOf, type AggregateKind, type AsOf } from '../state/replay.js';
import { callerBureau, notFound } from '../bureau/bureau-scope.js';
import { StateCorrection } from '../corrections/pairing.js';
import { READERS, tags, type AuditContext } from './context.js';

const IdParams = z.object({ id: queryText(200) });
/** An instant that exists and that PostgreSQL's timestamptz can hold (it has no year 0). */
const Instant = IsoInstant.refine((value) => !value.startsWith('0000'), 'must be an instant after the year 0');
/** A point: an ISO instant (as recorded then) or a revision number (after that event). */
const Point = z.union([z.coerce.number().int().nonnegative(), Instant]);

const toAsOf = (p: number | string | undefined): AsOf => (p === undefined ? {} : typeof p === 'number' ? { atRevision: p } : { asOf: p });

const paths: Record<AggregateKind, string> = { project: 'projects', programme: 'programmes', disbursement: 'disbursements' };

const StateResponse = z.object({
  kind: z.string(),
  id: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  eventCount: z.number().int(),
  lastEvent: z.object({ id: z.string(), type: z.string(), recordedAt: z.string(), hash: z.string() }).nullable(),
  state: z.unknown(),
  corrections: z.array(StateCorrection).describe('Every correction folded into this state, with the values it changed: original (before it) and corrected (after it), and the event it corrects'),
});

const Change = z.object({
  path: z.string(),
  before: z.unknown(),
  after: z.unknown(),
  changedBy: z.array(
    z.object({
      id: z.string(),
      revision: z.number(),
      type: z.string(),
      recordedAt: z.string(),
      actorId: z.string(),
      actorRole: z.string(),
      corrects: z.object({ eventId: z.string(), type: z.string() }).optional().describe('Set when the event is a correction: the event it corrects'),
    }),
  ),
});

export function stateRoutes(app: HttpApp, ctx: AuditContext): void {
  for (const [kind, path] of Object.entries(paths) as Array<[AggregateKind, string]>) {
    app.get(
      `/v1/audit/${path}/:id/state`,
      {
        config: { roles: READERS },
        schema: {
          tags,
          summary: `A ${kind}'s state as of a time (as recorded then) or a revision, replayed with the domain's own evolve`,
          params: IdParams,
          querystring: z.object({ asOf: Instant.optional(), atRevision: z.coerce.number().int().nonnegative().optional() }),
          response: { 200: StateResponse },
        },
      },
      async (request) => {
        const { asOf, atRevision } = request.query;
        if (asOf !== undefined && atRevision !== undefined) {
          throw appError('VALIDATION_FAILED', 'give asOf or atRevision, not both', { extra: { errors: [{ path: 'atRevision', message: 'not with asOf' }] } });
        }
        await ctx.bureaus.require(callerBureau(request), aggregateStream(kind, request.params.id), notFound(kind, request.params.id));
        return stateAsOf(ctx.store, kind, request.params.id, toAsOf(asOf ?? atRevision), ctx.snapshots);
      },
    );

    app.get(
      `/v1/audit/${path}/:id/diff`,
      {
        config: { roles: READERS },
        schema: {
          tags,
          summary: `Which fields of a ${kind}'s state changed between two points (instants or revisions), and by which events`,
          params: IdParams,
          querystring: z.object({ from: Point, to: Point.optional() }),
          response: {
            200: z.object({
              kind: z.string(),
              id: z.string(),
              from: z.object({ revision: z.number(), recordedAt: z.string().nullable() }),
              to: z.object({ revision: z.number(), recordedAt: z.string().nullable() }),
              changes: z.array(Change),
              corrections: z.array(StateCorrection).describe('The corrections between the two points, each with the values it changed (original and corrected) and the event it corrects'),
            }),
          },
        },
      },
      async (request) => {
        await ctx.bureaus.require(callerBureau(request), aggregateStream(kind, request.params.id), notFound(kind, request.params.id));
        return diffAsOf(ctx.store, kind, request.params.id, toAsOf(request.query.from), toAsOf(request.query.to));
      },
    );
  }
}
