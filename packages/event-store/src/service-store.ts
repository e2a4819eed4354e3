import type { ServiceDeps } from '@gongguan/platform';
import { appError } from '@gongguan/platform/errors';
import { createEsdbEventStore } from './esdb/esdb-event-store.js';
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
  deps: Pick<ServiceDeps, 'sql' | 'logger' | 'shared'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<EventStore> {
  const url = env.EVENTSTORE_URL;
  if (url !== undefined && url !== '') {
    if (!ESDB_URL.test(url)) {
      return Promise.reject(appError('VALIDATION_FAILED', 'EVENTSTORE_URL must be an esdb:// or esdb+discover:// connection string'));
    }
    return deps.shared('event-store', async () => createEsdbEventStore({ connectionString: url, logger: deps.logger }));
  }
  return deps.shared('event-store', () =>
    createSqlEventStore({ sql: deps.sql, logger: deps.logger }),
  );
}
