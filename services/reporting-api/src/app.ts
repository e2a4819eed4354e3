import { serviceEventStore } from '@gongguan/event-store';
import type { HttpApp, ServiceMount } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { allProjections, ensureReadModels } from '@gongguan/projections';
import type { Config } from './config.js';
import type { ReportingContext } from './context.js';
import { createReadGate } from './read-gate.js';
import { registerList } from './routes/list.js';
import { listSpecs } from './routes/lists.js';
import { registerProjectRoutes } from './routes/project-detail.js';
import { registerReports } from './routes/reports.js';
import { registerBureauRollUps } from './routes/bureau-rollups.js';

export interface ReportingOptions {
  sql: Sql;
  /** "Now" for time-driven facts (overdue, days left); default the system clock. */
  clock?: () => Date;
  /** The event store's last written position (`EventStore.lastPosition`): bounds `?minPosition=`. */
  lastPosition: () => Promise<string>;
  /** Longest wait for `?minPosition=`; default 5000 ms. */
  maxWaitMs?: number;
}

/** Registers every reporting route on `app`. */
export async function reportingRoutes(app: HttpApp, options: ReportingOptions): Promise<void> {
  const gate = createReadGate({ sql: options.sql, lastPosition: options.lastPosition, maxWaitMs: options.maxWaitMs ?? 5000 });
  app.addHook('onClose', () => gate.close());
  const ctx: ReportingContext = { sql: options.sql, clock: options.clock ?? (() => new Date()), gate };
  for (const spec of listSpecs) registerList(app, ctx, spec);
  registerProjectRoutes(app, ctx);
  registerReports(app, ctx);
  registerBureauRollUps(app, ctx);
}

/** Reads the projections: project status, portfolio, ledgers, due and overdue items, reports, CSV exports. */
export const reportingApiService: ServiceMount<Config> = {
  name: 'reporting-api',
  async mount(app, deps) {
    // The views exist even before a projector ran (split mode): empty until it catches up.
    await ensureReadModels(deps.sql, allProjections);
    app.addReadinessCheck('read-models', async () => {
      const { rows } = await deps.sql.query<{ name: string; status: string }>(`select name, status from projector.projections where status = 'failed'`);
      return rows.length === 0 ? { ok: true } : { ok: false, code: 'PROJECTION_STOPPED', detail: `projections stopped: ${rows.map((r) => r.name).join(', ')} (see the projector's /readyz)` };
    });
    const store = await serviceEventStore(deps);
    await reportingRoutes(app, {
      sql: deps.sql,
      lastPosition: () => store.lastPosition(),
      ...(deps.config.REPORTING_MAX_WAIT_MS === undefined ? {} : { maxWaitMs: deps.config.REPORTING_MAX_WAIT_MS }),
    });
  },
};
