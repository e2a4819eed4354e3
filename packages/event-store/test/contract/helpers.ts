import { randomUUID } from 'node:crypto';
import type { EventStore, EventToAppend, RecordedEvent, SubscriptionItem } from '../../src/index.js';

export interface ContractStore {
  store: EventStore;
  cleanup(): Promise<void>;
}

export interface ContractAdapter {
  name: string;
  create(): Promise<ContractStore>;
  /** Concurrent writers and events per writer for the live-subscriber race; default 8 × 10,000. */
  writers?: number;
  eventsPerWriter?: number;
  /** Largest event the store accepts (bytes); default 1 MiB. */
  maxEventBytes?: number;
}

let categories = 0;

/** A stream category no other test uses: `c<random>x<n>`. */
export function category(): string {
  categories++;
  return `c${randomUUID().slice(0, 8)}x${categories}`;
}

export function newEvent(overrides: Partial<EventToAppend> & { data?: Record<string, unknown> } = {}): EventToAppend {
  return {
    id: randomUUID(),
    type: 'ThingHappened',
    schemaVersion: 1,
    data: { value: 1 },
    metadata: { actorId: 'user-1', actorRole: 'officer', correlationId: 'req-1' },
    ...overrides,
  };
}

export function events(n: number, type = 'ThingHappened'): EventToAppend[] {
  return Array.from({ length: n }, (_, i) => newEvent({ type, data: { i } }));
}

/** Collects subscription items until `until` says stop (or the timeout fails the test). */
export async function collect(
  items: AsyncIterable<SubscriptionItem>,
  until: (seen: RecordedEvent[], item: SubscriptionItem) => boolean,
  timeoutMs = 30_000,
): Promise<{ events: RecordedEvent[]; items: SubscriptionItem[] }> {
  const seen: RecordedEvent[] = [];
  const all: SubscriptionItem[] = [];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`subscription did not finish within ${timeoutMs} ms (saw ${seen.length})`)), timeoutMs);
  });
  const run = (async () => {
    for await (const item of items) {
      all.push(item);
      if (item.kind === 'event') seen.push(item.event);
      if (until(seen, item)) break;
    }
  })();
  try {
    await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
  return { events: seen, items: all };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
