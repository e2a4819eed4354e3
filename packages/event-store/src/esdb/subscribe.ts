import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStoreDBClient } from '@eventstore/db-client';
import type { SubscriptionItem } from '../event-store.js';
import type { StoreLogger } from '../logger.js';
import { START_POSITION, type Position } from '../position.js';
import { fromEsdbEvent } from './envelope.js';
import { isTransient, toPortError } from './errors.js';
import { isPortStream, matchesFilter, subscriptionFilter, type CheckedFilter } from './filters.js';
import { fromEsdbPosition, toEsdbPosition } from './positions.js';
import { readAllPage } from './read.js';

export interface FollowAllOptions {
  after?: Position | undefined;
  filter: CheckedFilter;
  batchSize: number;
  /** Aborted by the caller or by the store closing. */
  signal: AbortSignal;
  logger: StoreLogger;
  /** First and longest wait before reconnecting after a drop; default 100 ms and 5 s. */
  retryMs?: { min: number; max: number };
}

/**
 * Catch up with paged reads of `$all`, say `caught-up` once, then follow live with
 * `subscribeToAll` from the last position seen. The caught-up marker comes from the reads rather
 * than the server's `caughtUp` message (sent only by servers from 23.10, and emitted by the client
 * out of band with the data): a page that reaches the end is unambiguous.
 *
 * When the connection drops or the leader changes (any transient error, or the server ending the
 * stream), it waits (100 ms doubling to 5 s) and resubscribes from the last position it passed —
 * the client rediscovers the cluster through the gossip seeds. Records at or before that position
 * are dropped, so nothing is delivered twice; the server replays everything after it, so nothing
 * is lost. ESDB serves only events committed to a quorum, so a new leader never lacks an event an
 * old one delivered. A non-transient error ends the iteration with that error.
 */
export async function* followAll(client: EventStoreDBClient, options: FollowAllOptions): AsyncGenerator<SubscriptionItem, void, undefined> {
  const { signal, filter, logger } = options;
  const retry = options.retryMs ?? { min: 100, max: 5000 };
  let position = options.after ?? START_POSITION;
  let caughtUp = false;
  let delay = retry.min;
  while (!signal.aborted) {
    try {
      while (!caughtUp) {
        const page = await readAllPage(client, position, options.batchSize, filter);
        for (const event of page.events) {
          if (signal.aborted) return;
          position = event.position;
          yield { kind: 'event', event };
        }
        position = page.position;
        if (page.caughtUp) {
          caughtUp = true;
          yield { kind: 'caught-up', position };
        }
      }
      if (signal.aborted) return;
      const subscription = client.subscribeToAll({ fromPosition: toEsdbPosition(position), filter: subscriptionFilter(filter) });
      const stop = (): void => void subscription.unsubscribe().catch(() => undefined);
      signal.addEventListener('abort', stop, { once: true });
      try {
        for await (const resolved of subscription) {
          const record = resolved.event;
          if (!record) continue;
          const at = fromEsdbPosition(record.position);
          if (at <= position) continue;
          delay = retry.min;
          position = at;
          if (!isPortStream(record.streamId) || !matchesFilter({ stream: record.streamId, type: record.type }, filter)) continue;
          yield { kind: 'event', event: fromEsdbEvent(record) };
        }
      } finally {
        signal.removeEventListener('abort', stop);
        await subscription.unsubscribe().catch(() => undefined);
      }
      if (signal.aborted) return;
      logger.warn({ position }, 'EventStoreDB ended the subscription; resubscribing');
    } catch (err) {
      if (signal.aborted) return;
      if (!isTransient(err)) throw toPortError(err, {});
      logger.warn({ err, position, retryInMs: delay }, 'EventStoreDB subscription dropped; resubscribing from the last position');
    }
    await sleep(delay, undefined, { signal }).catch(() => undefined);
    delay = Math.min(delay * 2, retry.max);
  }
}
