import { serviceEventStore } from '@gongguan/event-store';
import { appError, type HttpApp, type ServiceMount } from '@gongguan/platform';
import { allProjections, ensureReadModels, projectionNamed, projectorMetrics, readCatalogue, startProjector, type Projection } from '@gongguan/projections';
import { z } from 'zod';
import type { Config } from './config.js';
import { RebuildJobs } from './rebuild-jobs.js';
import { ProjectionStatusSchema, RebuildJobSchema, RebuildRequestSchema } from './routes/schemas.js';

const readers = ['admin', 'auditor', 'reporter', 'officer'] as const;

/**
 * Keeps the read models current from the event store (the projector runs inside this process and
 * stops when the app closes) and rebuilds them on demand.
 */
export const projectorService: ServiceMount<Config> = {
  name: 'projector',
  async mount(app, deps) {
    const store = await serviceEventStore(deps);
    await ensureReadModels(deps.sql, allProjections);
    const metrics = projectorMetrics();
    const projector = startProjector({
      sql: deps.sql,
      store,
      projections: allProjections,
      logger: deps.logger,
      metrics,
      ...(deps.config.PROJECTOR_MAX_BATCH === undefined ? {} : { maxBatch: deps.config.PROJECTOR_MAX_BATCH }),
    });
    const jobs = new RebuildJobs({ sql: deps.sql, store, logger: deps.logger });
    app.addHook('onClose', async () => {
      await jobs.close();
      await projector.stop();
    });
    app.addReadinessCheck('projections', () => projector.readiness());

    // A projection whose code version changed is rebuilt in the background; readers keep the old tables meanwhile.
    const outdated = (await readCatalogue(deps.sql)).filter((r) => r.status === 'outdated').flatMap((r) => projectionNamed(r.name) ?? []);
    if (outdated.length > 0) {
      deps.logger.warn({ projections: outdated.map((p) => p.name) }, 'projection code changed; rebuilding into a new generation');
      jobs.start(outdated);
    }
    routes(app, deps.sql, jobs, metrics.registry);
  },
};

function routes(app: HttpApp, sql: Parameters<typeof readCatalogue>[0], jobs: RebuildJobs, registry: ReturnType<typeof projectorMetrics>['registry']): void {
  app.get(
    '/v1/projections',
    {
      config: { roles: readers },
      schema: {
        tags: ['projector'],
        summary: 'Each projection: live generation, checkpoint, whether it stopped (and at which event), rebuild progress',
        response: { 200: z.object({ projections: z.array(ProjectionStatusSchema), rebuilds: z.array(RebuildJobSchema) }) },
      },
    },
    async () => {
      const rows = await readCatalogue(sql);
      const { rows: building } = await sql.query<{ name: string; generation: number; position: string; events: number; started_at: string }>(
        `select name, generation, position, events::float8 as events, started_at::text from projector.generations where state = 'building'`,
      );
      return {
        projections: rows.map((r) => {
          const b = building.filter((x) => x.name === r.name).at(-1);
          return {
            name: r.name,
            description: projectionNamed(r.name)?.description ?? '',
            version: r.version,
            generation: r.generation,
            status: r.status,
            position: r.position,
            eventsApplied: Number(r.events_applied),
            error: r.error === null ? null : ProjectionStatusSchema.shape.error.parse(r.error),
            rebuilding: b ? { generation: b.generation, position: b.position, events: Number(b.events), startedAt: b.started_at } : null,
          };
        }),
        rebuilds: jobs.list(),
      };
    },
  );

  app.post(
    '/v1/projections/rebuild',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['projector'],
        summary: 'Rebuild projections from the first event into new tables; swapped in when caught up',
        description: 'Readers keep seeing the current tables until the swap. Follow progress at GET /v1/projections.',
        body: RebuildRequestSchema,
        response: { 202: RebuildJobSchema },
      },
    },
    async (request, reply) => {
      const names = request.body.projections ?? allProjections.map((p) => p.name);
      const projections: Projection[] = [];
      for (const name of names) {
        const projection = projectionNamed(name);
        if (projection === undefined) {
          throw appError('VALIDATION_FAILED', `there is no projection ${name}; there are ${allProjections.map((p) => p.name).join(', ')}`, {
            extra: { errors: [{ path: 'body.projections', message: `unknown projection ${name}` }] },
          });
        }
        projections.push(projection);
      }
      request.log.info({ projections: names }, 'rebuild requested');
      return reply.code(202).send(jobs.start(projections));
    },
  );

  app.get('/metrics/projector', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
