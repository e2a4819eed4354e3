import type { BaseConfig, ServiceDeps } from '@gongguan/platform';
import { appError } from '@gongguan/platform/errors';
import type { EventStore } from './event-store.js';
import { createSqlEventStore } from './sql/sql-event-store.js';

const ESDB_URL = /^esdb(\+discover)?:\/\/\S+$/;

/**
 * The event store of this process, shared by every service mounted in it: one instance, so
 * in-process wake-ups reach every subscriber (the all-in-one on PGlite relies on that).
 * With `EVENTSTORE_URL` set (an `esdb://` connection string) the events live in EventStoreDB /
 * KurrentDB; otherwise in the service's SQL storage, as before.
 */
export function serviceEventStore(
  deps: Pick<ServiceDeps, 'sql' | 'logger' | 'shared'> & { config?: Partial<Pick<BaseConfig, 'EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT' | 'EVENT_STORE_GROUP_COMMIT_STALL_MS'>> },
  env: NodeJS.ProcessEnv = process.env,
): Promise<EventStore> {
  const url = env.EVENTSTORE_URL;
  if (url !== undefined && url !== '') {
    if (!ESDB_URL.test(url)) {
      return Promise.reject(appError('VALIDATION_FAILED', 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string'));
    }
    // Loaded only when configured: the EventStoreDB client (gRPC) takes a fifth of a second to load.
    return deps.shared('event-store', async () => (await import('./esdb/esdb-event-store.js')).createEsdbEventStore({ connectionString: url, logger: deps.logger }));
  }
  // The group commit's two settings an operator may tune to a disk (see the README's table);
  // the rest keep the store's defaults.
  const groupCommit: { maxInFlight?: number; stallMs?: number } = {};
  if (deps.config?.EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT !== undefined) groupCommit.maxInFlight = deps.config.EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT;
  if (deps.config?.EVENT_STORE_GROUP_COMMIT_STALL_MS !== undefined) groupCommit.stallMs = deps.config.EVENT_STORE_GROUP_COMMIT_STALL_MS;
  return deps.shared('event-store', () =>
    createSqlEventStore({ sql: deps.sql, logger: deps.logger, groupCommit }),
  );
}
