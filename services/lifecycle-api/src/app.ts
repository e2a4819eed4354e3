import { fileURLToPath } from 'node:url';
import { serviceEventStore, type EventStore } from '@gongguan/event-store';
import type { HttpApp, ServiceMount } from '@gongguan/platform';
import { loadMigrations, migrate } from '@gongguan/platform/db';
import { systemEnvironment, type Environment } from './commands/ids.js';
import type { Config } from './config.js';
import { idempotencyStore } from './idempotency/store.js';
import type { CommandDeps } from './routes/command-route.js';
import { domainErrorTranslator } from './routes/errors.js';
import { registerMoneyCommands } from './routes/money-routes.js';
import { registerProgrammeCommands } from './routes/programme-routes.js';
import { registerProjectCommands } from './routes/project-routes.js';
import { registerStateRoutes } from './routes/state-routes.js';
import { registerWorkflows } from './routes/workflow-routes.js';
import { runR2Redriver } from './workflows/r2-redriver.js';

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export interface LifecycleOptions {
  /** Clock and id source; the system's by default, fixed in tests. */
  env?: Environment;
  /** Run the R2 re-driver in this process (default true). */
  redriver?: boolean;
}

/** Every command of officers, reviewers, approvers and finance, under /v1. */
export function registerLifecycleRoutes(app: HttpApp, deps: CommandDeps, store: EventStore): void {
  registerProgrammeCommands(app, deps);
  registerProjectCommands(app, deps);
  registerMoneyCommands(app, deps);
  registerWorkflows(app, deps);
  registerStateRoutes(app, store);
}

/** Commands of officers, reviewers, approvers and finance: every change to a programme, project, disbursement or subsidy ledger. */
export function lifecycleService(options: LifecycleOptions = {}): ServiceMount<Config> {
  return {
    name: 'lifecycle-api',
    errorTranslators: [domainErrorTranslator],
    async mount(app, deps) {
      await migrate(deps.sql, 'lifecycle-api', loadMigrations(migrationsDir), deps.logger);
      const store = await serviceEventStore(deps);
      const env = options.env ?? systemEnvironment;
      registerLifecycleRoutes(app, { store, env, idempotency: idempotencyStore(deps.sql) }, store);
      if (options.redriver === false) return;
      const stop = new AbortController();
      let running: Promise<void> = Promise.resolve();
      app.addHook('onReady', async () => {
        running = runR2Redriver({ store, sql: deps.sql, env, logger: deps.logger.child({ process: 'r2-assessment' }), signal: stop.signal });
      });
      app.addHook('preClose', async () => {
        stop.abort();
        await running;
      });
    },
  };
}

export const lifecycleApiService = lifecycleService();
