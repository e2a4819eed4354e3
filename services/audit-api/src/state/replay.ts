import { disbursement, parseEvent, programme, project, type DomainEvent } from '@gongguan/domain';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { appError } from '@gongguan/platform';
import type { SnapshotCache } from './snapshots.js';
import { correctsOf, stateCorrections, type StateCorrection } from '../corrections/pairing.js';

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

/** The stream of one aggregate. */
export function aggregateStream(kind: AggregateKind, id: string): string {
  return aggregates[kind].streamName(id);
}
export const aggregateKinds = Object.keys(aggregates) as AggregateKind[];

/** A point in a stream's history: "as recorded at time T" or "after revision N". */
export type AsOf = { asOf: string } | { atRevision: number } | Record<string, never>;

export interface ReplayedEvent {
  event: RecordedEvent;
  domain: DomainEvent;
}

/** Folds events with the aggregate's evolve (the state is JSON data: plain values, and maps such as a project's objections that give their JSON through toJSON). */
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
  return events.map((event) => ({ event, domain: parsed(stream, event) }));
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
  /**
   * Every correction folded into this state (events whose data names the event they correct),
   * with each value it changed: the original (before it) and the corrected (after it).
   */
  corrections: StateCorrection[];
}

/**
 * Replays one aggregate to a point in time or a revision with the domain's own evolve. With
 * `snapshots`, only the events after the nearest snapshot below the point are read and folded
 * (each still upcast and validated), and the states passed on the way are kept.
 */
export async function stateAsOf(store: EventStore, kind: AggregateKind, id: string, at: AsOf, snapshots?: SnapshotCache): Promise<StateAsOf> {
  const replayed = await replayState(store, kind, id, at, snapshots);
  return { ...replayed, corrections: replayed.revision < 0 ? [] : await correctionsUpTo(store, kind, id, replayed.revision) };
}

/**
 * The corrections of one aggregate up to a revision, side by side with what they corrected. The
 * stream is read up to there; it is folded (parsed and validated) only when it holds a correction.
 */
export async function correctionsUpTo(store: EventStore, kind: AggregateKind, id: string, revision: number): Promise<StateCorrection[]> {
  const stream = aggregates[kind].streamName(id);
  const events = await store.readStream(stream, { toRevision: revision });
  if (!events.some((e) => correctsOf(e) !== undefined)) return [];
  return stateCorrections(
    events.map((event) => ({ event, domain: parsed(stream, event) })),
    aggregates[kind].initialState,
    (state, domain) => fold(kind, [domain], state),
  );
}

async function replayState(store: EventStore, kind: AggregateKind, id: string, at: AsOf, snapshots?: SnapshotCache): Promise<Omit<StateAsOf, 'corrections'>> {
  const stream = aggregates[kind].streamName(id);
  if (!snapshots) {
    const replayed = await readUpTo(store, kind, id, at);
    return answer(kind, id, stream, replayed.at(-1)?.event, replayed.length, fold(kind, replayed.map((r) => r.domain)));
  }
  // The revision the point names: given, or the last event recorded by then (one indexed row).
  let target: number;
  if ('atRevision' in at) target = at.atRevision;
  else {
    const [last] = await store.readStream(stream, { direction: 'backwards', limit: 1, ...('asOf' in at ? { untilRecordedAt: at.asOf } : {}) });
    if (!last) return answer(kind, id, stream, undefined, 0, fold(kind, []));
    target = last.revision;
  }
  const snapshot = snapshots.nearest(stream, target);
  // From the snapshot's own event (already folded into it), for lastEvent when nothing follows.
  const events = await store.readStream(stream, { fromRevision: snapshot?.revision ?? 0, toRevision: target });
  let state: unknown = snapshot?.state ?? aggregates[kind].initialState;
  for (const event of events) {
    if (snapshot && event.revision === snapshot.revision) continue;
    state = fold(kind, [parsed(stream, event)], state);
    snapshots.put(stream, event.revision, state);
  }
  const last = events.at(-1);
  return answer(kind, id, stream, last, last ? last.revision + 1 : 0, state);
}

function parsed(stream: string, event: RecordedEvent): DomainEvent {
  try {
    return parseEvent(event);
  } catch (err) {
    throw appError('INTERNAL', `event ${event.id} (${stream}@${event.revision}) cannot be read by the domain: ${(err as Error).message}`);
  }
}

function answer(kind: AggregateKind, id: string, stream: string, last: RecordedEvent | undefined, eventCount: number, state: unknown): Omit<StateAsOf, 'corrections'> {
  return {
    kind,
    id,
    stream,
    revision: last?.revision ?? -1,
    eventCount,
    lastEvent: last ? { id: last.id, type: last.type, recordedAt: last.metadata.recordedAt, hash: last.hash } : null,
    state,
  };
}
