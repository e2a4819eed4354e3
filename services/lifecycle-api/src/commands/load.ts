import { parseEvent, type Decider } from '@gongguan/domain';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';
import { EventRefs, type AggregateCache, type EventRef } from './aggregate-cache.js';

export interface Loaded<S> {
  state: S;
  /** Revision of the last event; `'no_stream'` when the stream has none. */
  revision: number | 'no_stream';
  /** Every event of the stream, without its data. */
  events: EventRefs;
  /** False when taken from the cache without reading: the stream may have moved since. */
  verified: boolean;
}

export interface Foldable<S, E> {
  decider: Pick<Decider<never, S, E>, 'evolve' | 'initialState'>;
  isEvent(event: unknown): event is E;
}

export interface LoadOptions {
  cache?: AggregateCache | undefined;
  /** Answer from a trusted cache entry without reading (commands, which append with its revision). */
  trustCache?: boolean;
}

/**
 * The aggregate's current state, folded from its own events (never from a projection). Each
 * stored event is upcast and validated on the way in; an event of another aggregate in the stream
 * is a bug worth failing loudly for, not something to skip. With a cache, only the events after
 * the cached revision are read and folded.
 */
export async function loadAggregate<S, E>(store: EventStore, aggregate: Foldable<S, E>, stream: string, options: LoadOptions = {}): Promise<Loaded<S>> {
  const { cache } = options;
  const cached = cache?.get(stream);
  if (cached && cached.trusted && options.trustCache) {
    return { state: cached.state as S, revision: cached.revision, events: cached.events, verified: false };
  }
  let recorded: RecordedEvent[];
  try {
    recorded = await store.readStream(stream, cached ? { fromRevision: cached.revision + 1 } : undefined);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') {
      cache?.delete(stream);
      return { state: aggregate.decider.initialState, revision: 'no_stream', events: EventRefs.of([]), verified: true };
    }
    throw err;
  }
  const state = foldEvents(aggregate, stream, cached ? (cached.state as S) : aggregate.decider.initialState, recorded);
  const refs = recorded.map(refOf);
  const events = cached ? cached.events.extend(refs) : EventRefs.of(refs);
  const last = events.last;
  if (!last) return { state, revision: 'no_stream', events, verified: true };
  cache?.set(stream, { state, revision: last.revision, events, trusted: true });
  return { state, revision: last.revision, events, verified: true };
}

/** The whole stream with its events' data, uncached: for workflows that look inside past events. */
export async function readAggregate<S, E>(store: EventStore, aggregate: Foldable<S, E>, stream: string): Promise<{ state: S; events: RecordedEvent[] }> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(stream);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return { state: aggregate.decider.initialState, events: [] };
    throw err;
  }
  return { state: foldEvents(aggregate, stream, aggregate.decider.initialState, events), events };
}

/** Upcasts, validates and folds stored (or just appended) events onto `state`. */
export function foldEvents<S, E>(
  aggregate: Foldable<S, E>,
  stream: string,
  state: S,
  events: ReadonlyArray<Pick<RecordedEvent, 'id' | 'type' | 'schemaVersion' | 'data'>>,
): S {
  let folded = state;
  for (const stored of events) {
    const event = parseEvent(stored);
    if (!aggregate.isEvent(event)) throw new Error(`event ${stored.type} (${stored.id}) does not belong in stream ${stream}`);
    folded = aggregate.decider.evolve(folded, event);
  }
  return folded;
}

export function refOf(event: RecordedEvent): EventRef {
  const at = event.data.at;
  return { id: event.id, type: event.type, revision: event.revision, position: event.position, at: typeof at === 'string' ? at : undefined };
}
