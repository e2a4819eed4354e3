import { parseEvent, type Decider } from '@gongguan/domain';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';

export interface Loaded<S> {
  state: S;
  /** Revision of the last event; `'no_stream'` when the stream has none. */
  revision: number | 'no_stream';
  events: RecordedEvent[];
}

export interface Foldable<S, E> {
  decider: Pick<Decider<never, S, E>, 'evolve' | 'initialState'>;
  isEvent(event: unknown): event is E;
}

/**
 * The aggregate's current state, folded from its own events (never from a projection). Each
 * stored event is upcast and validated on the way in; an event of another aggregate in the stream
 * is a bug worth failing loudly for, not something to skip.
 */
export async function loadAggregate<S, E>(store: EventStore, aggregate: Foldable<S, E>, stream: string): Promise<Loaded<S>> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(stream);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') {
      return { state: aggregate.decider.initialState, revision: 'no_stream', events: [] };
    }
    throw err;
  }
  let state = aggregate.decider.initialState;
  for (const stored of events) {
    const event = parseEvent(stored);
    if (!aggregate.isEvent(event)) throw new Error(`event ${stored.type} (${stored.id}) does not belong in stream ${stream}`);
    state = aggregate.decider.evolve(state, event);
  }
  const last = events[events.length - 1];
  return { state, revision: last ? last.revision : 'no_stream', events };
}
