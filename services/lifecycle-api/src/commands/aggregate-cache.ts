/**
 * Folded aggregate state kept between commands, per stream, so that a command does not read and
 * re-validate the whole stream every time.
 *
 * An entry is never wrong, only possibly behind: it is the exact fold of the stream's first
 * `revision + 1` events, written either after reading them or after this process appended them.
 * Another process (or replica) may have appended since, so an entry is used under three rules
 * (see `execute.ts`):
 *   - a command decided on an entry appends with the entry's revision as the expected revision:
 *     if the stream moved, the store refuses, and the command reads what it missed and decides again;
 *   - a refusal, a no-op or a dry run decided on an entry is only answered after reading what the
 *     entry may have missed (so a stale entry never refuses what the current state allows);
 *   - reads (GET state, the R2 workflow's look at a project) always read what the entry may have
 *     missed: one indexed query that usually returns no rows.
 *
 * Bounded by a number of streams, least recently used first out.
 */

import type { Position } from '@gongguan/event-store';

/** What a command step needs to recognise its own earlier events in a stream. */
export interface EventRef {
  readonly id: string;
  readonly type: string;
  readonly revision: number;
  /**
   * The event's global position; for events this process appended, the position of the last
   * event of their append (the store answers no other). Only a step's last event, or a stream's
   * last event, is ever asked for its position, and for those both are the same.
   */
  readonly position: Position;
  /** The fact's effective instant (its data's `at`), where it has one: a stream's never go backwards. */
  readonly at?: string | undefined;
}

/**
 * The references to a stream's events, oldest first, kept as a prefix of an array that later
 * snapshots of the same stream share. Extending a snapshot that is the whole of its array (the
 * usual case: each append extends the newest) pushes onto it, so an append costs its own events,
 * not the stream's length; extending an older one copies its prefix first. A snapshot never reads
 * past its own length, so what an older snapshot holds never changes. Every reference pushed is
 * a fact of the stream (an event at its revision), whichever request pushed it.
 */
export class EventRefs implements Iterable<EventRef> {
  readonly #shared: EventRef[];
  readonly length: number;

  private constructor(shared: EventRef[], length: number) {
    this.#shared = shared;
    this.length = length;
  }

  static of(refs: readonly EventRef[]): EventRefs {
    return new EventRefs([...refs], refs.length);
  }

  extend(more: readonly EventRef[]): EventRefs {
    if (more.length === 0) return this;
    const shared = this.length > 0 && this.#shared.length === this.length ? this.#shared : this.#shared.slice(0, this.length);
    for (const ref of more) shared.push(ref);
    return new EventRefs(shared, this.length + more.length);
  }

  get last(): EventRef | undefined {
    return this.length > 0 ? this.#shared[this.length - 1] : undefined;
  }

  /** The newest reference that `wanted` picks (usually the last one). */
  findLast(wanted: (ref: EventRef) => boolean): EventRef | undefined {
    for (let i = this.length - 1; i >= 0; i--) if (wanted(this.#shared[i]!)) return this.#shared[i];
    return undefined;
  }

  filter(keep: (ref: EventRef) => boolean): EventRef[] {
    const kept: EventRef[] = [];
    for (let i = 0; i < this.length; i++) if (keep(this.#shared[i]!)) kept.push(this.#shared[i]!);
    return kept;
  }

  *[Symbol.iterator](): Iterator<EventRef> {
    for (let i = 0; i < this.length; i++) yield this.#shared[i]!;
  }
}

export interface CachedAggregate {
  readonly state: unknown;
  readonly revision: number;
  readonly events: EventRefs;
  /**
   * False when the last append's outcome is not known to be this process's own decision (a step
   * with derived ids may have found an earlier run's events instead): read before deciding.
   */
  readonly trusted: boolean;
}

export interface AggregateCacheStats {
  streams: number;
  hits: number;
  misses: number;
}

export class AggregateCache {
  readonly #entries = new Map<string, CachedAggregate>();
  readonly #max: number;
  #hits = 0;
  #misses = 0;

  constructor(maxStreams: number) {
    if (!Number.isInteger(maxStreams) || maxStreams < 0) throw new Error(`maxStreams must be a non-negative integer, not ${maxStreams}`);
    this.#max = maxStreams;
  }

  get enabled(): boolean {
    return this.#max > 0;
  }

  get(stream: string): CachedAggregate | undefined {
    const entry = this.#entries.get(stream);
    if (entry === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    // Most recently used last: re-insert.
    this.#entries.delete(stream);
    this.#entries.set(stream, entry);
    return entry;
  }

  /** The entry, without counting a hit or a miss and without moving it in the eviction order. */
  peek(stream: string): CachedAggregate | undefined {
    return this.#entries.get(stream);
  }

  /** Keeps the entry unless one at a later revision is already there (a slower request finishing late). */
  set(stream: string, entry: CachedAggregate): void {
    if (this.#max === 0) return;
    const current = this.#entries.get(stream);
    if (current !== undefined && current.revision > entry.revision) return;
    this.#entries.delete(stream);
    this.#entries.set(stream, entry);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  /** The next use reads the stream from the entry's revision on before deciding. */
  distrust(stream: string): void {
    const current = this.#entries.get(stream);
    if (current !== undefined && current.trusted) this.#entries.set(stream, { ...current, trusted: false });
  }

  delete(stream: string): void {
    this.#entries.delete(stream);
  }

  stats(): AggregateCacheStats {
    return { streams: this.#entries.size, hits: this.#hits, misses: this.#misses };
  }
}
