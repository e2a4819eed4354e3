import type { Sql } from '@gongguan/platform/db';
import { appError } from '@gongguan/platform/errors';
import { createDoorbell } from '../doorbell.js';
import type { EventStore, SubscriptionItem } from '../event-store.js';
import { silentLogger, type StoreLogger } from '../logger.js';
import { START_POSITION } from '../position.js';
import { follow, linkedSubscription } from '../subscription.js';
import { limitOption, wakeIntervalOption } from '../validation.js';
import { prepareAppend, runAppend } from './append.js';
import { prepareMulti, runAppendMulti } from './append-multi.js';
import { createGroupCommit, type GroupCommitOptions } from './group-commit.js';
import { migrateEventStore } from './migrate.js';
import { createNotifier } from './notifier.js';
import { headPosition, lastPosition, READ_ALL_MAX, readAllPage, readStream } from './read.js';
import { NOTIFY_CHANNEL } from './statements.js';

export interface SqlEventStoreOptions {
  sql: Sql;
  /** A pino logger (or anything shaped like one); the store logs as `component: 'event-store'`. */
  logger?: StoreLogger;
  /** Largest canonical envelope accepted, in UTF-8 bytes; default 1 MiB. */
  maxEventBytes?: number;
  /** Run the migrations first; default true. */
  migrate?: boolean;
  /** Longest a live subscription sleeps without a wake-up before looking again; default 1000 ms. */
  idlePollMs?: number;
  /** Close `sql` when the store closes; default false (the caller owns it). */
  closeSql?: boolean;
  /**
   * Concurrent appends share one statement and one commit (src/sql/group-commit.ts): at most
   * `maxInFlight` batches at once (default 1: measured best with `pnpm bench:http`), at most `maxEvents`
   * events each (default 500); a batch running longer than `stallMs` (default 25) no longer holds
   * the queue, up to `maxConcurrent` batches (default 8; 1 on PGlite, one connection). `false`:
   * every append is its own statement.
   */
  groupCommit?: Partial<GroupCommitOptions> | false;
}

export const DEFAULT_MAX_EVENT_BYTES = 1024 * 1024;

/**
 * The event store on PostgreSQL or PGlite: the same SQL on both. Appends are two statements
 * (read the head and the clock; compare-and-swap the head and insert the events in one
 * autocommit statement); reads of the global log stop below a transaction-id horizon.
 */
export async function createSqlEventStore(options: SqlEventStoreOptions): Promise<EventStore> {
  const { sql } = options;
  const logger = (options.logger ?? silentLogger).child({ component: 'event-store' });
  if (options.migrate ?? true) await migrateEventStore(sql, logger);
  const maxEventBytes = options.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
  const idlePollMs = options.idlePollMs ?? 1000;
  const bell = createDoorbell();
  const closing = new AbortController();
  // On PostgreSQL a NOTIFY inside the append would serialise every commit behind one global
  // lock, so wake-ups are sent after it, coalesced; on PGlite (one connection) inline is free.
  const notifyInline = sql.kind === 'pglite';
  const notifier = notifyInline ? undefined : createNotifier(sql, logger);
  const appendContext = { sql, maxEventBytes, notifyInline, logger };
  const grouped =
    options.groupCommit === false
      ? undefined
      : createGroupCommit(appendContext, {
          maxInFlight: options.groupCommit?.maxInFlight ?? 1,
          maxEvents: options.groupCommit?.maxEvents ?? 500,
          stallMs: options.groupCommit?.stallMs ?? 25,
          maxConcurrent: options.groupCommit?.maxConcurrent ?? (sql.kind === 'pglite' ? 1 : 8),
        });
  let listening: Promise<(() => Promise<void>) | undefined> | undefined;
  const running = new Set<Promise<unknown>>();

  function ensureOpen(): void {
    if (closing.signal.aborted) throw appError('STORAGE_UNAVAILABLE', 'the event store is closed');
  }

  function startListening(): void {
    listening ??= sql.listen(NOTIFY_CHANNEL, () => bell.ring()).catch((err: unknown) => {
      logger.warn({ err }, 'LISTEN failed; subscriptions fall back to polling');
      return undefined;
    });
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
      const prepared = prepareAppend(appendContext, stream, events, appendOptions);
      const { written, ...result } = await track(
        grouped && prepared.events.length > 0 ? grouped(prepared) : runAppend(appendContext, prepared),
      );
      if (written) {
        bell.ring();
        notifier?.poke();
      }
      return result;
    },

    async appendMulti(appends) {
      ensureOpen();
      const prepared = prepareMulti(appendContext, appends);
      const { results, written } = await track(runAppendMulti(appendContext, prepared));
      if (written) {
        bell.ring();
        notifier?.poke();
      }
      return results;
    },

    capabilities: { atomicMultiStream: true },

    async readStream(stream, readOptions) {
      ensureOpen();
      return track(readStream(sql, stream, readOptions));
    },

    async readAll(readOptions = {}) {
      ensureOpen();
      const limit = limitOption(readOptions.limit, 1000, READ_ALL_MAX);
      const { held: _held, ...page } = await track(readAllPage(sql, readOptions.after ?? START_POSITION, limit, readOptions.filter));
      return page;
    },

    subscribe(subscribeOptions = {}): AsyncIterable<SubscriptionItem> {
      ensureOpen();
      const batchSize = limitOption(subscribeOptions.batchSize, 500, READ_ALL_MAX);
      const minWakeIntervalMs = wakeIntervalOption(subscribeOptions.minWakeIntervalMs);
      startListening();
      return linkedSubscription(closing.signal, subscribeOptions.signal, (signal) =>
        follow((after, limit, filter) => track(readAllPage(sql, after, limit, filter)), bell, {
          after: subscribeOptions.after,
          filter: subscribeOptions.filter,
          batchSize,
          signal,
          idlePollMs,
          minWakeIntervalMs,
        }),
      );
    },

    async headPosition() {
      ensureOpen();
      return track(headPosition(sql));
    },

    async lastPosition() {
      ensureOpen();
      return track(lastPosition(sql));
    },

    async close() {
      if (closing.signal.aborted) return;
      closing.abort();
      const unlisten = await listening;
      await unlisten?.();
      await notifier?.drain();
      await Promise.allSettled([...running]);
      if (options.closeSql) await sql.close();
    },
  };
}
