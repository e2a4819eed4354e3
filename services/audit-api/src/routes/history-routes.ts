import { project, queryText } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { HistoryEntry } from '../history/envelope.js';
import { correctsOf, withCorrections } from '../corrections/pairing.js';
import { callerBureau, notFound } from '../bureau/bureau-scope.js';
import { projectHistory } from '../history/project-history.js';
import { READERS, tags, type AuditContext } from './context.js';

const StreamParams = z.object({ stream: queryText(200) });
const IdParams = z.object({ id: queryText(200) });

export function historyRoutes(app: HttpApp, ctx: AuditContext): void {
  app.get(
    '/v1/audit/streams/:stream/events',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "One stream's events, by revision, with actor, role, recorded and effective times, reason and hashes; each correction beside what it corrects",
        description: 'An event that corrects another (data.corrects) names it in `corrects`; an event corrected later lists its corrections in `correctedBy` (found in the rest of the stream, also past this page). A back-recorded event shows who entered it in `metadata.backRecorded`.',
        params: StreamParams,
        querystring: z.object({
          fromRevision: z.coerce.number().int().nonnegative().default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ stream: z.string(), events: z.array(HistoryEntry), nextRevision: z.number().int().nullable() }) },
      },
    },
    async (request) => {
      const { stream } = request.params;
      const { fromRevision, limit } = request.query;
      await ctx.bureaus.require(callerBureau(request), stream, notFound('stream', stream));
      // The rest of the stream from the page on: a correction follows what it corrects, maybe past the page.
      const rest = await ctx.store.readStream(stream, { fromRevision });
      const more = rest.length > limit;
      const page = rest.slice(0, limit);
      // A correction on the page whose original lies before it: the earlier part of the stream too.
      const ids = new Set(rest.map((e) => e.id));
      const earlierNeeded = fromRevision > 0 && page.some((e) => { const c = correctsOf(e); return c !== undefined && !ids.has(c.eventId); });
      const earlier = earlierNeeded ? await ctx.store.readStream(stream, { toRevision: fromRevision - 1 }) : [];
      return { stream, events: withCorrections(page, [...earlier, ...rest]), nextRevision: more ? fromRevision + limit : null };
    },
  );

  app.get(
    '/v1/audit/projects/:id/history',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "A project's combined history in store order: its stream, its disbursements, its subsidy-ledger assessments and bank-reference claims; each correction beside what it corrects",
        params: IdParams,
        response: { 200: z.object({ projectId: z.string(), streams: z.array(z.string()), events: z.array(HistoryEntry) }) },
      },
    },
    async (request) => {
      const bureau = callerBureau(request);
      await ctx.bureaus.require(bureau, project.streamName(request.params.id), notFound('project', request.params.id));
      const { streams, events } = await projectHistory(ctx.store, request.params.id);
      await ctx.bureaus.requireAll(bureau, streams);
      return { projectId: request.params.id, streams, events: withCorrections(events) };
    },
  );
}
