import { EventStoreDBClient } from '@eventstore/db-client';
import { appError } from '@gongguan/platform/errors';
import type { EventStore, SubscriptionItem } from '../event-store.js';
import { silentLogger, type StoreLogger } from '../logger.js';
import { START_POSITION } from '../position.js';
import { limitOption, wakeIntervalOption } from '../validation.js';
import { appendToEsdb } from './append.js';
import { appendMultiToEsdb } from './append-multi.js';
import { checkFilter } from './filters.js';
import { createEsdbImporter } from './import.js';
import type { EventImporter } from './import-plan.js';
import { headPosition, READ_ALL_MAX, readAllPage, readStreamEvents } from './read.js';
import { followAll } from './subscribe.js';
import { linkedSubscription } from '../subscription.js';

export interface EsdbEventStoreOptions {
  /**
   * The client's connection string, e.g. `esdb://node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=/certs/ca/ca.crt`
   * (gossip seeds; `esdb+discover://` for DNS discovery). Either this or `client`.
   */
  connectionString?: string;
  /** A client you opened; the store does not dispose it on close. */
  client?: EventStoreDBClient;
  /** A pino logger (or anything shaped like one); the store logs as `component: 'event-store'`. */
  logger?: StoreLogger;
  /** Largest canonical envelope accepted, in UTF-8 bytes; default 1 MiB, as the SQL adapter. */
  maxEventBytes?: number;
  /** The clock recordedAt is taken from (ms since the epoch); default `Date.now`. */
  now?: () => number;
}

/** The EventStoreDB store, which can also receive a copied history (`migrate-store`). */
export type EsdbEventStore = EventStore & EventImporter;

/**
 * The event-store port on EventStoreDB / KurrentDB through `@eventstore/db-client`. Events are
 * JSON; the envelope's schemaVersion, prevHash, hash and recordedAt travel in custom metadata;
 * positions are ESDB's (commit, prepare). See the package README, "EventStoreDB".
 */
export function createEsdbEventStore(options: EsdbEventStoreOptions): EsdbEventStore {
  const owned = options.client === undefined;
  if (!options.client && !options.connectionString) throw new Error('createEsdbEventStore needs a connectionString or a client');
  const client = options.client ?? EventStoreDBClient.connectionString(options.connectionString ?? '');
  const logger = (options.logger ?? silentLogger).child({ component: 'event-store', store: 'eventstoredb' });
  const ctx = { client, logger, maxEventBytes: options.maxEventBytes ?? 1024 * 1024, now: options.now ?? Date.now };
  const importer = createEsdbImporter(client);
  const closing = new AbortController();
  const running = new Set<Promise<unknown>>();

  function ensureOpen(): void {
    if (closing.signal.aborted) throw appError('STORAGE_UNAVAILABLE', 'the event store is closed');
  }

  async function track<T>(work: Promise<T>): Promise<T> {
    running.add(work);
    try {
      return await work;
    } finally {
      running.delete(work);
    }
  }

  return {
    async append(stream, events, appendOptions) {
      ensureOpen();
      return track(appendToEsdb(ctx, stream, events, appendOptions));
    },

    async appendMulti(appends) {
      ensureOpen();
      return track(appendMultiToEsdb(ctx, appends));
    },

    // No multi-stream append in @eventstore/db-client: step by step (append-multi.ts).
    capabilities: { atomicMultiStream: false },

    async readStream(stream, readOptions) {
      ensureOpen();
      return track(readStreamEvents(client, stream, readOptions));
    },

    async readAll(readOptions = {}) {
      ensureOpen();
      const limit = limitOption(readOptions.limit, 1000, READ_ALL_MAX);
      return track(readAllPage(client, readOptions.after ?? START_POSITION, limit, checkFilter(readOptions.filter)));
    },

    subscribe(subscribeOptions = {}): AsyncIterable<SubscriptionItem> {
      ensureOpen();
      const batchSize = limitOption(subscribeOptions.batchSize, 500, READ_ALL_MAX);
      // Validated like the SQL adapter's, then unused: the server pushes as it appends.
      wakeIntervalOption(subscribeOptions.minWakeIntervalMs);
      const filter = checkFilter(subscribeOptions.filter);
      return linkedSubscription(closing.signal, subscribeOptions.signal, (signal) =>
        followAll(client, { after: subscribeOptions.after, filter, batchSize, signal, logger }),
      );
    },

    async headPosition() {
      ensureOpen();
      return track(headPosition(client));
    },

    async lastPosition() {
      // The server reads $all only up to what it committed: the head is the last event written.
      ensureOpen();
      return track(headPosition(client));
    },

    async importEvents(events) {
      ensureOpen();
      return track(importer.importEvents(events));
    },

    async lastStoredEvent() {
      ensureOpen();
      return track(importer.lastStoredEvent());
    },

    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      await Promise.allSettled([...running]);
      if (owned) await client.dispose();
    },
  };
}
