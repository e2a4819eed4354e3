import { openStorage } from '@gongguan/platform/db';
import type { EventStore } from './event-store.js';
import type { StoreLogger } from './logger.js';
import { createSqlEventStore } from './sql/sql-event-store.js';

export interface OpenEventStoreOptions {
  /** PostgreSQL connection string; unset means embedded PGlite under `dataDir`. */
  databaseUrl?: string | undefined;
  /**
   * EventStoreDB / KurrentDB connection string (`esdb://…`, as `EVENTSTORE_URL`). When set, the
   * events live there and `databaseUrl`/`dataDir` are not used by the store.
   */
  eventStoreUrl?: string | undefined;
  /** Where PGlite keeps its files; default `./.data`. */
  dataDir?: string;
  poolSize?: number;
  logger?: StoreLogger;
  maxEventBytes?: number;
}

/**
 * Opens storage the way every service does (EventStoreDB when `eventStoreUrl` is given, else
 * PostgreSQL when a URL is given, else PGlite), migrates it and returns a store that owns the
 * connection: `close()` closes it.
 */
export async function openEventStore(options: OpenEventStoreOptions = {}): Promise<EventStore> {
  if (options.eventStoreUrl) {
    // Loaded only here: the EventStoreDB client (gRPC) takes a fifth of a second to load.
    const { createEsdbEventStore } = await import('./esdb/esdb-event-store.js');
    return createEsdbEventStore({
      connectionString: options.eventStoreUrl,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }),
    });
  }
  const sql = await openStorage({
    databaseUrl: options.databaseUrl,
    dataDir: options.dataDir ?? './.data',
    applicationName: 'gongguan-event-store',
    ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
  });
  try {
    return await createSqlEventStore({
      sql,
      closeSql: true,
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.maxEventBytes === undefined ? {} : { maxEventBytes: options.maxEventBytes }),
    });
  } catch (err) {
    await sql.close();
    throw err;
  }
}
