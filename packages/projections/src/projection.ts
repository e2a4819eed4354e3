import type { DomainEvent, EventType } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import type { RowStore } from './engine/row-store.js';
import type { AnyTable } from './table.js';

export type EventData<T extends EventType> = Extract<DomainEvent, { type: T }>['data'];

/** One handler per event type: how the event changes the rows (a view's `evolve`, row by row). */
export type Handlers = {
  readonly [T in EventType]?: (rows: RowStore, data: EventData<T>, event: RecordedEvent) => void;
};

/**
 * A projection: a view (a decider without `decide`) over the event log, kept in its own tables.
 * Bump `version` whenever the tables or the handlers change: the projector then rebuilds it into
 * a new generation and swaps it in when caught up.
 *
 * What it reads is declared, never guessed: `streams` names the stream categories it owns, and
 * `handlers` (or `handlesAll`) the event types it applies from them. Every other event is skipped
 * on purpose and the checkpoint moves past it: events of streams it does not own (the audit
 * service's `TreeHeadSealed` in `audit-tree-heads`, any stream a later service adds), whatever
 * their type, and domain events of its own streams that it has no handler for. An event in a
 * stream it owns that this code cannot read (a type it does not know, or data that fails its
 * schema) stops it, loudly: the log holds domain facts this code would silently lose.
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly tables: readonly AnyTable[];
  /** Stream-name prefixes (categories) it owns, e.g. `project-`; see {@link domainStreams}. */
  readonly streams: readonly string[];
  readonly handlers: Handlers;
  /** Called for every event the projection handles, after its handler (or alone, when there is none). */
  readonly onAny?: (rows: RowStore, event: DomainEvent, envelope: RecordedEvent) => void;
  /** Handles every event type of its streams (a feed), not only those in `handlers`. */
  readonly handlesAll?: boolean;
}

/**
 * The stream categories of the domain: each aggregate's `streamName` begins with its prefix
 * (a test holds the two together). Only these streams hold domain events.
 */
export const domainStreams = {
  programme: 'programme-',
  project: 'project-',
  disbursement: 'disbursement-',
  bankReference: 'bank-reference-',
  r2Ledger: 'subsidy-',
  r3Ledger: 'r3-',
  /** The registry of bureaus: one stream. */
  bureauRegistry: 'bureaus-',
  /** A city's annual work summary for a year: `annual-summary-<bureau>-<year>`. */
  annualSummary: 'annual-summary-',
} as const;

/** Whether `stream` is one of the projection's own streams. */
export function owns(projection: Projection, stream: string): boolean {
  return projection.streams.some((prefix) => stream.startsWith(prefix));
}

/** Whether the projection applies events of this type (from its own streams). */
export function handles(projection: Projection, type: string): boolean {
  return projection.handlesAll === true || Object.hasOwn(projection.handlers, type);
}

/** How a projection treats one stored event: apply it, skip it (not its concern), or stop at it. */
export function concern(projection: Projection, envelope: { stream: string; type: string }, problem: { unknownType: boolean } | undefined): 'apply' | 'skip' | 'stop' {
  if (!owns(projection, envelope.stream)) return 'skip';
  if (problem !== undefined) return problem.unknownType || handles(projection, envelope.type) ? 'stop' : 'skip';
  return handles(projection, envelope.type) ? 'apply' : 'skip';
}

/** Runs the projection's handler for one parsed event. */
export function dispatch(projection: Projection, rows: RowStore, event: DomainEvent, envelope: RecordedEvent): void {
  const handler = projection.handlers[event.type];
  // The handler was looked up by this event's own type, so its data matches; TypeScript cannot correlate the union.
  if (handler !== undefined) (handler as (rows: RowStore, data: unknown, event: RecordedEvent) => void)(rows, event.data, envelope);
  projection.onAny?.(rows, event, envelope);
}
