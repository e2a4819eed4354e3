/**
 * Folded states of replayed streams, kept at every `every`-th revision, so that a replay "as of"
 * a point folds at most `every` events after the nearest snapshot below it instead of the whole
 * stream. Stored events never change (append-only tables, checked by the verify routes), so a
 * state folded from revisions 0..r stays the state at r for good. Bounded by a number of streams,
 * least recently used first out.
 */
export class SnapshotCache {
  readonly every: number;
  readonly #maxStreams: number;
  readonly #streams = new Map<string, Map<number, unknown>>();
  #probes = 0;

  constructor(options: { every?: number; maxStreams?: number } = {}) {
    this.every = options.every ?? 32;
    this.#maxStreams = options.maxStreams ?? 1000;
    if (!Number.isSafeInteger(this.every) || this.every < 1) throw new RangeError(`every must be a positive integer, not ${this.every}`);
    if (!Number.isSafeInteger(this.#maxStreams) || this.#maxStreams < 0) throw new RangeError(`maxStreams must be a non-negative integer, not ${this.#maxStreams}`);
  }

  /** Whether the state after `revision` is one this cache keeps. */
  keeps(revision: number): boolean {
    return (revision + 1) % this.every === 0;
  }

  /** The snapshot at the highest kept revision ≤ `revision`. */
  nearest(stream: string, revision: number): { revision: number; state: unknown } | undefined {
    const snapshots = this.#streams.get(stream);
    if (snapshots === undefined) return undefined;
    this.#streams.delete(stream);
    this.#streams.set(stream, snapshots);
    // Over the snapshots kept, never counting down from `revision`: the revision comes from a
    // query string, and 3,200,000,000 / 32 probes blocked the event loop for seconds.
    let best: number | undefined;
    for (const kept of snapshots.keys()) {
      this.#probes++;
      if (kept <= revision && (best === undefined || kept > best)) best = kept;
    }
    return best === undefined ? undefined : { revision: best, state: snapshots.get(best) };
  }

  /** Snapshots examined by {@link nearest} so far: bounded by what is kept, whatever revision is asked for. */
  get probes(): number {
    return this.#probes;
  }

  put(stream: string, revision: number, state: unknown): void {
    if (this.#maxStreams === 0 || !this.keeps(revision)) return;
    let snapshots = this.#streams.get(stream);
    if (snapshots === undefined) {
      snapshots = new Map();
      this.#streams.set(stream, snapshots);
      while (this.#streams.size > this.#maxStreams) this.#streams.delete(this.#streams.keys().next().value as string);
    }
    snapshots.set(revision, state);
  }

  get size(): number {
    return this.#streams.size;
  }
}
