import closeWithGrace from 'close-with-grace';
import type { z } from 'zod';
import type { Sql } from '../db/types.js';
import { openStorage } from '../db/open.js';
import { ConfigError, loadConfig, type BaseConfig } from '../config.js';
import { LEGACY_BUREAU_CODE } from '../auth/roles.js';
import { createLogger, type Logger } from '../logger.js';
import { createHttpApp, type HttpApp } from '../http/create-app.js';
import type { ErrorTranslator } from '../http/problem.js';
import { resolveVerificationKeys } from './auth-keys.js';
import { applyHeapGrowth } from './heap.js';

export interface ServiceDeps<C extends BaseConfig = BaseConfig> {
  sql: Sql;
  config: C;
  logger: Logger;
  /**
   * One instance per process of a resource several services use (the event store): created by
   * the first service that asks, closed when the app closes, before storage.
   */
  shared<T extends { close(): Promise<void> }>(key: string, create: () => Promise<T>): Promise<T>;
}

/** One service's contribution to a process: its routes and whatever it runs beside them. */
export interface ServiceMount<C extends BaseConfig = BaseConfig> {
  name: string;
  mount(app: HttpApp, deps: ServiceDeps<C>): Promise<void>;
  errorTranslators?: ErrorTranslator[];
}

export interface ServerDefinition<S extends z.ZodType<BaseConfig>> {
  title: string;
  description?: string;
  configSchema: S;
  services: Array<ServiceMount<z.output<S>>>;
  /** Printed once listening: where to go next. */
  banner?: (url: string, config: z.output<S>) => string;
}

export interface RunningServer {
  app: HttpApp;
  url: string;
  close(): Promise<void>;
}

/** Reads config, opens storage, mounts the services on one app, listens and closes gracefully. */
export async function buildServer<S extends z.ZodType<BaseConfig>>(
  def: ServerDefinition<S>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ app: HttpApp; config: z.output<S>; logger: Logger }> {
  const config = loadConfig(def.configSchema, env);
  applyHeapGrowth(config.HEAP_GROWING_PERCENT);
  const logger = createLogger({ level: config.LOG_LEVEL, name: config.SERVICE_NAME });
  const keys = await resolveVerificationKeys(config, logger);
  const sql = await openStorage({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.DATA_DIR,
    pgliteSharedBuffers: config.PGLITE_SHARED_BUFFERS,
    ...(config.PGLITE_TEMPLATE_CACHE === undefined ? {} : { pgliteTemplateCache: config.PGLITE_TEMPLATE_CACHE }),
    poolSize: config.DATABASE_POOL_SIZE,
    logger,
    applicationName: config.SERVICE_NAME,
  });
  const app = await createHttpApp({
    logger,
    bodyLimit: config.BODY_LIMIT_BYTES,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    trustProxy: config.TRUST_PROXY,
    rateLimits: { commandsPerMinute: config.RATE_LIMIT_COMMANDS_PER_MINUTE, readsPerMinute: config.RATE_LIMIT_READS_PER_MINUTE },
    auth: {
      keys,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      maxLifetimeSeconds: config.JWT_MAX_LIFETIME_SECONDS,
      clockToleranceSeconds: config.JWT_CLOCK_TOLERANCE_SECONDS,
      // Production refuses a token without a bureau unless the operator names one bureau for all.
      defaultBureau: config.TOKEN_DEFAULT_BUREAU ?? (config.GONGGUAN_ENV === 'production' ? null : LEGACY_BUREAU_CODE),
    },
    title: def.title,
    ...(def.description ? { description: def.description } : {}),
    errorTranslators: def.services.flatMap((s) => s.errorTranslators ?? []),
  });
  app.addReadinessCheck('storage', async () =>
    (await sql.ping()) ? { ok: true } : { ok: false, code: 'DATABASE_UNREACHABLE', detail: 'the database does not answer' },
  );
  // Registered first, so it runs last: services stop their work before storage goes away.
  app.addHook('onClose', async () => {
    await sql.close();
  });
  const resources = new Map<string, Promise<{ close(): Promise<void> }>>();
  const shared = <T extends { close(): Promise<void> }>(key: string, create: () => Promise<T>): Promise<T> => {
    let resource = resources.get(key);
    if (!resource) {
      resource = create();
      resources.set(key, resource);
    }
    return resource as Promise<T>;
  };
  app.addHook('onClose', async () => {
    for (const resource of [...resources.values()].reverse()) await (await resource).close();
  });
  for (const service of def.services) {
    await service.mount(app, { sql, config, logger: logger.child({ mount: service.name }), shared });
  }
  return { app, config, logger };
}

/** The entry point of a `server.ts`: exits with one clear message on bad configuration. */
export async function startServer<S extends z.ZodType<BaseConfig>>(def: ServerDefinition<S>): Promise<RunningServer> {
  let built: Awaited<ReturnType<typeof buildServer<S>>>;
  try {
    built = await buildServer(def);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
  const { app, config, logger } = built;
  const close = closeWithGrace({ delay: config.SHUTDOWN_GRACE_MS }, async ({ signal, err }) => {
    if (err) logger.error({ err }, 'closing after an unexpected error');
    else logger.info({ signal }, 'closing: finishing in-flight requests');
    await app.close();
  });
  app.addHook('onClose', async () => {
    close.uninstall();
  });
  await app.listen({ host: config.HOST, port: config.PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  if (def.banner) process.stdout.write(`${def.banner(url, config)}\n`);
  return { app, url, close: () => app.close() };
}
