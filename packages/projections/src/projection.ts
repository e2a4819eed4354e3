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
 */
export interface Projection {
  readonly name: string;
  readonly version: number;
  readonly description: string;
  readonly tables: readonly AnyTable[];
  readonly handlers: Handlers;
  /** Called for every event the projection handles, after its handler (or alone, when there is none). */
  readonly onAny?: (rows: RowStore, event: DomainEvent, envelope: RecordedEvent) => void;
  /** Handles every event type (a feed), not only those in `handlers`. */
  readonly handlesAll?: boolean;
}

export function handles(projection: Projection, type: string): boolean {
  return projection.handlesAll === true || Object.hasOwn(projection.handlers, type);
}

/** Runs the projection's handler for one parsed event. */
export function dispatch(projection: Projection, rows: RowStore, event: DomainEvent, envelope: RecordedEvent): void {
  const handler = projection.handlers[event.type];
  // The handler was looked up by this event's own type, so its data matches; TypeScript cannot correlate the union.
  if (handler !== undefined) (handler as (rows: RowStore, data: unknown, event: RecordedEvent) => void)(rows, event.data, envelope);
  projection.onAny?.(rows, event, envelope);
}
