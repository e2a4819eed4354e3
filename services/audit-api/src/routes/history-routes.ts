import { project, queryText } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { AuditEvent } from '../history/envelope.js';
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
        summary: "One stream's events, by revision, with actor, role, recorded and effective times, reason and hashes",
        params: StreamParams,
        querystring: z.object({
          fromRevision: z.coerce.number().int().nonnegative().default(0),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ stream: z.string(), events: z.array(AuditEvent), nextRevision: z.number().int().nullable() }) },
      },
    },
    async (request) => {
      const { stream } = request.params;
      const { fromRevision, limit } = request.query;
      await ctx.bureaus.require(callerBureau(request), stream, notFound('stream', stream));
      const events = await ctx.store.readStream(stream, { fromRevision, limit: limit + 1 });
      const more = events.length > limit;
      const page = events.slice(0, limit);
      return { stream, events: page, nextRevision: more ? fromRevision + limit : null };
    },
  );

  app.get(
    '/v1/audit/projects/:id/history',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "A project's combined history in store order: its stream, its disbursements, its subsidy-ledger assessments and bank-reference claims",
        params: IdParams,
        response: { 200: z.object({ projectId: z.string(), streams: z.array(z.string()), events: z.array(AuditEvent) }) },
      },
    },
    async (request) => {
      const bureau = callerBureau(request);
      await ctx.bureaus.require(bureau, project.streamName(request.params.id), notFound('project', request.params.id));
      const { streams, events } = await projectHistory(ctx.store, request.params.id);
      await ctx.bureaus.requireAll(bureau, streams);
      return { projectId: request.params.id, streams, events };
    },
  );
}
