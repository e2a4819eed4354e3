import { disbursement, parseEvent, programme, project, type DomainEvent } from '@gongguan/domain';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { appError } from '@gongguan/platform';

/** The aggregates whose state an auditor can replay, each with the domain's own evolve. */
const aggregates = {
  project: { streamName: project.streamName, isEvent: project.isEvent, evolve: project.decider.evolve, initialState: project.decider.initialState },
  programme: { streamName: programme.streamName, isEvent: programme.isEvent, evolve: programme.decider.evolve, initialState: programme.decider.initialState },
  disbursement: {
    streamName: disbursement.streamName,
    isEvent: disbursement.isEvent,
    evolve: disbursement.decider.evolve,
    initialState: disbursement.decider.initialState,
  },
} as const;

export type AggregateKind = keyof typeof aggregates;
export const aggregateKinds = Object.keys(aggregates) as AggregateKind[];

/** A point in a stream's history: "as recorded at time T" or "after revision N". */
export type AsOf = { asOf: string } | { atRevision: number } | Record<string, never>;

export interface ReplayedEvent {
  event: RecordedEvent;
  domain: DomainEvent;
}

/** Folds events with the aggregate's evolve (the state is plain JSON data). */
export function fold(kind: AggregateKind, events: readonly DomainEvent[], from?: unknown): unknown {
  const a = aggregates[kind];
  // Each aggregate's evolve takes only its own events; isEvent narrows, so the cast is the union's.
  const evolve = a.evolve as (s: unknown, e: DomainEvent) => unknown;
  let state: unknown = from ?? a.initialState;
  for (const e of events) if (a.isEvent(e)) state = evolve(state, e);
  return state;
}

/** The stream of one aggregate up to a point, each event parsed (upcast + validated) by the domain. */
export async function readUpTo(store: EventStore, kind: AggregateKind, id: string, at: AsOf): Promise<ReplayedEvent[]> {
  const stream = aggregates[kind].streamName(id);
  const options = 'asOf' in at ? { untilRecordedAt: at.asOf } : 'atRevision' in at ? { toRevision: at.atRevision } : {};
  const events = await store.readStream(stream, options);
  return events.map((event) => {
    try {
      return { event, domain: parseEvent(event) };
    } catch (err) {
      throw appError('INTERNAL', `event ${event.id} (${stream}@${event.revision}) cannot be read by the domain: ${(err as Error).message}`);
    }
  });
}

export interface StateAsOf {
  kind: AggregateKind;
  id: string;
  stream: string;
  /** Revision of the last event folded; −1 when none (the state before the first event). */
  revision: number;
  eventCount: number;
  lastEvent: { id: string; type: string; recordedAt: string; hash: string } | null;
  state: unknown;
}

/** Replays one aggregate to a point in time or a revision with the domain's own evolve. */
export async function stateAsOf(store: EventStore, kind: AggregateKind, id: string, at: AsOf): Promise<StateAsOf> {
  const replayed = await readUpTo(store, kind, id, at);
  const last = replayed.at(-1)?.event;
  return {
    kind,
    id,
    stream: aggregates[kind].streamName(id),
    revision: last?.revision ?? -1,
    eventCount: replayed.length,
    lastEvent: last ? { id: last.id, type: last.type, recordedAt: last.metadata.recordedAt, hash: last.hash } : null,
    state: fold(kind, replayed.map((r) => r.domain)),
  };
}
