import type { RecordedEvent, SubscriptionItem } from '@gongguan/event-store';

const IDLE = Symbol('idle');
const nextTurn = (): Promise<typeof IDLE> => new Promise((resolve) => setImmediate(() => resolve(IDLE)));

export type BatchItem = { kind: 'events'; events: RecordedEvent[] } | { kind: 'caught-up'; position: string };

/**
 * Groups a subscription into batches: every event that is already at hand (the rest of the page
 * the subscription read), up to `max`. A batch ends as soon as the next event would need another
 * read, so a lone live event is projected at once and a catch-up is projected page by page. The
 * next item is always requested before the batch is handed out, so the store reads the next page
 * while the caller writes this one.
 */
export async function* batches(source: AsyncIterable<SubscriptionItem>, max: number): AsyncGenerator<BatchItem, void, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  let batch: RecordedEvent[] = [];
  const pull = () => {
    const next = iterator.next();
    // Awaited later; until then a failed read must not count as an unhandled rejection.
    next.catch(() => undefined);
    return next;
  };
  let pending = pull();
  try {
    for (;;) {
      const result = batch.length === 0 ? await pending : await Promise.race([pending, nextTurn()]);
      if (result === IDLE) {
        yield { kind: 'events', events: batch };
        batch = [];
        continue;
      }
      if (result.done === true) {
        if (batch.length > 0) yield { kind: 'events', events: batch };
        return;
      }
      pending = pull();
      const item = result.value;
      if (item.kind === 'event') {
        batch.push(item.event);
        if (batch.length >= max) {
          yield { kind: 'events', events: batch };
          batch = [];
        }
      } else {
        if (batch.length > 0) {
          yield { kind: 'events', events: batch };
          batch = [];
        }
        yield { kind: 'caught-up', position: item.position };
      }
    }
  } finally {
    await iterator.return?.();
  }
}
