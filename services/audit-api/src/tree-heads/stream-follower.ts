import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';

const PAGE = 1000;

/**
 * Follows one of the audit service's own streams forward: `refresh()` reads the events appended
 * since the last call (a stream not written yet is empty) and hands each to `onEvent`, in order.
 * Concurrent callers share one read. `nextRevision` is the revision the next append expects after.
 */
export function followStream(store: EventStore, stream: string, onEvent: (event: RecordedEvent) => void) {
  let nextRevision = 0;
  let refreshing: Promise<void> | undefined;

  async function readNew(): Promise<void> {
    for (;;) {
      let events: RecordedEvent[];
      try {
        events = await store.readStream(stream, { fromRevision: nextRevision, limit: PAGE });
      } catch (err) {
        if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return;
        throw err;
      }
      for (const event of events) {
        onEvent(event);
        nextRevision = event.revision + 1;
      }
      if (events.length < PAGE) return;
    }
  }

  return {
    refresh(): Promise<void> {
      refreshing ??= readNew().finally(() => {
        refreshing = undefined;
      });
      return refreshing;
    },
    /** What an append after the events read so far expects. */
    expectedRevision: (): number | 'no_stream' => (nextRevision === 0 ? 'no_stream' : nextRevision - 1),
  };
}
