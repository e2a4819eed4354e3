import { Readable } from 'node:stream';
import { UnavailableError, type EventStoreDBClient } from '@eventstore/db-client';
import t from 'tap';
import type { RecordedEvent, SubscriptionItem } from '../src/index.js';
import { chainEvents, draftEvents } from '../src/esdb/chain.js';
import { toEsdbEventData } from '../src/esdb/envelope.js';
import { followAll } from '../src/esdb/subscribe.js';
import { silentLogger } from '../src/logger.js';
import { newEvent } from './contract/helpers.js';

// Not a server: a scripted stand-in for the two client calls followAll makes, to pin down its
// reconnect rule (resume from the last position, drop what was already delivered). Whether a
// real cluster replays as scripted is for the contract suite with TEST_EVENTSTORE_URL.
const envelopes = chainEvents('project-1', undefined, draftEvents('project-1', Array.from({ length: 6 }, () => newEvent()), 1 << 20), '2026-01-01T00:00:00.000000Z');
const records = envelopes.map((e, i) => {
  const data = toEsdbEventData(e);
  return {
    event: {
      streamId: e.stream, id: e.id, revision: BigInt(e.revision), type: e.type, isJson: true, created: new Date(),
      data: JSON.parse(JSON.stringify(data.data)) as unknown, metadata: JSON.parse(JSON.stringify(data.metadata)) as unknown,
      position: { commit: BigInt(100 * (i + 1)), prepare: BigInt(100 * (i + 1)) },
    },
  };
});
const system = { event: { ...records[0]?.event, streamId: '$stats-node', position: { commit: 150n, prepare: 150n } } };

function stream(items: unknown[], end?: Error | 'end'): Readable & { cancel(): Promise<void>; unsubscribe(): Promise<void> } {
  const readable = new Readable({
    objectMode: true,
    read() {
      const next = items.shift();
      if (next !== undefined) this.push(next);
      else if (end === 'end') this.push(null);
      else if (end) this.destroy(end);
      // else: stay open, like a live subscription
    },
  });
  return Object.assign(readable, { cancel: async () => void readable.destroy(), unsubscribe: async () => void readable.destroy() });
}

t.test('after a drop it resubscribes from the last position and delivers nothing twice', async (t) => {
  const subscribedFrom: unknown[] = [];
  const client = {
    readAll: () => stream([records[0], system, records[1]], 'end'),
    subscribeToAll: (options: { fromPosition: unknown }) => {
      subscribedFrom.push(options.fromPosition);
      // First connection: two events, then the node goes away. Second: the server replays from
      // the resume point inclusively (records[3] again) and goes on.
      return subscribedFrom.length === 1 ? stream([records[2], records[3]], new UnavailableError()) : stream([records[3], records[4], records[5]]);
    },
  } as unknown as EventStoreDBClient;
  const stop = new AbortController();
  const items: SubscriptionItem[] = [];
  for await (const item of followAll(client, { filter: {}, batchSize: 10, signal: stop.signal, logger: silentLogger, retryMs: { min: 1, max: 5 } })) {
    items.push(item);
    if (items.filter((i) => i.kind === 'event').length === 6) stop.abort();
  }
  const events = items.flatMap((i) => (i.kind === 'event' ? [i.event] : []));
  t.same(events.map((e: RecordedEvent) => e.revision), [0, 1, 2, 3, 4, 5], 'each event once, in order');
  t.same(items[2], { kind: 'caught-up', position: events[1]?.position }, 'caught up after the read, at the last port event');
  t.same(subscribedFrom, [{ commit: 200n, prepare: 200n }, { commit: 400n, prepare: 400n }], 'resubscribed from the last delivered position');
});
