import { fileURLToPath } from 'node:url';
import { serviceEventStore } from '@gongguan/event-store';
import type { HttpApp, ServiceMount } from '@gongguan/platform';
import { loadMigrations, migrate } from '@gongguan/platform/db';
import { clockFileEnvironment } from './commands/clock-file.js';
import { systemEnvironment, type Environment } from './commands/ids.js';
import { AggregateCache } from './commands/aggregate-cache.js';
import { lifecycleConfigFields, type Config } from './config.js';
import { idempotencyStore } from './idempotency/store.js';
import type { CommandDeps } from './routes/command-route.js';
import { domainErrorTranslator } from './routes/errors.js';
import { registerMoneyCommands } from './routes/money-routes.js';
import { registerProgrammeCommands } from './routes/programme-routes.js';
import { registerProjectCommands } from './routes/project-routes.js';
import { registerStateRoutes } from './routes/state-routes.js';
import { registerSelectionRoutes } from './routes/selection-routes.js';
import { registerWorkflows } from './routes/workflow-routes.js';
import { registerCorrectionRoutes } from './routes/correction-routes.js';
import { registerBureauRoutes } from './routes/bureau-routes.js';
import { registerSummaryRoutes } from './routes/summary-routes.js';
import { registerEvidenceRoutes, type EvidenceLimits } from './routes/evidence-routes.js';
import type { SqlExecutor } from '@gongguan/platform/db';
import { registerMoneyCorrectionRoutes } from './routes/money-correction-routes.js';
import { BureauAccess } from './bureaus/access.js';
import { runR2Redriver } from './workflows/r2-redriver.js';
import { registerImportRoutes } from './routes/import-routes.js';
import { importLedger } from './import/ledger.js';
import { ImportService } from './import/service.js';

/**
 * One of the lifecycle's own settings: from the parsed config, or, where the process's config
 * schema does not know it (tests mount the service on the base schema), from the environment.
 */
function ownSetting<K extends keyof typeof lifecycleConfigFields>(config: unknown, name: K): Config[K] {
  return (config as Partial<Config>)[name] ?? (lifecycleConfigFields[name].parse(process.env[name] || undefined) as Config[K]);
}

/** How often old idempotency keys are purged. */
const PURGE_INTERVAL_MS = 10 * 60_000;

const migrationsDir = fileURLToPath(new URL('../migrations', import.meta.url));

export interface LifecycleOptions {
  /** Clock and id source; the system's by default, fixed in tests. */
  env?: Environment;
  /** Run the R2 re-driver in this process (default true). */
  redriver?: boolean;
  /** Streams whose folded state is kept between commands; default AGGREGATE_CACHE_STREAMS (10000); 0: none. */
  cacheStreams?: number;
  /** How long a stopped import run holds its import before another request may resume it (default 60 s). */
  importLeaseSeconds?: number;
  /** Hands the import service to a test (to wait for a run, or stop one between two facts). */
  onImports?: (imports: ImportService) => void;
}

/** Every command of officers, reviewers, approvers and finance, under /v1. */
export function registerLifecycleRoutes(app: HttpApp, deps: CommandDeps, evidence: { sql: SqlExecutor; limits: EvidenceLimits }): void {
  registerProgrammeCommands(app, deps);
  registerProjectCommands(app, deps);
  registerMoneyCommands(app, deps);
  registerSelectionRoutes(app, deps);
  registerWorkflows(app, deps);
  registerCorrectionRoutes(app, deps);
  registerStateRoutes(app, deps.store, deps.bureaus, deps.cache);
  registerBureauRoutes(app, deps);
  registerSummaryRoutes(app, deps);
  registerEvidenceRoutes(app, deps, evidence.sql, evidence.limits);
  registerMoneyCorrectionRoutes(app, deps);
}

/** Commands of officers, reviewers, approvers and finance: every change to a programme, project, disbursement or subsidy ledger. */
export function lifecycleService(options: LifecycleOptions = {}): ServiceMount<Config> {
  return {
    name: 'lifecycle-api',
    errorTranslators: [domainErrorTranslator],
    async mount(app, deps) {
      await migrate(deps.sql, 'lifecycle-api', loadMigrations(migrationsDir), deps.logger);
      const store = await serviceEventStore(deps);
      const env = options.env ?? clockFileEnvironment(process.env) ?? systemEnvironment;
      const cacheStreams = options.cacheStreams ?? ownSetting(deps.config, 'AGGREGATE_CACHE_STREAMS');
      const cache = cacheStreams > 0 ? new AggregateCache(cacheStreams) : undefined;
      const idempotency = idempotencyStore(deps.sql);
      const limits = { maxBytes: ownSetting(deps.config, 'EVIDENCE_MAX_BYTES'), types: ownSetting(deps.config, 'EVIDENCE_TYPES') };
      const commandDeps: CommandDeps = { store, env, idempotency, cache, bureaus: new BureauAccess(store, cache), registry: new Map() };
      registerLifecycleRoutes(app, commandDeps, { sql: deps.sql, limits });
      const imports = new ImportService(commandDeps, importLedger(deps.sql, options.importLeaseSeconds), deps.logger.child({ process: 'import' }));
      registerImportRoutes(app, imports);
      options.onImports?.(imports);
      app.addHook('preClose', () => imports.close());
      const retentionHours = ownSetting(deps.config, 'IDEMPOTENCY_RETENTION_HOURS');
      if (retentionHours > 0) {
        const log = deps.logger.child({ process: 'idempotency-retention' });
        let purging: Promise<unknown> = Promise.resolve();
        const purge = (): void => {
          purging = idempotency.purge(retentionHours).then(
            (purged) => {
              if (purged > 0) log.info({ purged, retentionHours }, 'forgot old idempotency keys');
            },
            (err: unknown) => log.warn({ err }, 'purging old idempotency keys failed; trying again in 10 minutes'),
          );
        };
        let timer: NodeJS.Timeout | undefined;
        app.addHook('onReady', async () => {
          purge();
          timer = setInterval(purge, PURGE_INTERVAL_MS);
          timer.unref();
        });
        app.addHook('preClose', async () => {
          clearInterval(timer);
          await purging;
        });
      }
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
