import type { EventStore } from '@gongguan/event-store';

/** The last holder's turn on each stream, per event store (so servers sharing a process do not share queues). */
const queues = new WeakMap<EventStore, Map<string, Promise<void>>>();

/** Waits for the turn on `stream`; resolves with the function that hands the turn to the next in line. */
function turn(queue: Map<string, Promise<void>>, stream: string): Promise<() => void> {
  const before = queue.get(stream) ?? Promise.resolve();
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  const mine = before.then(() => done);
  queue.set(stream, mine);
  return before.then(() => () => {
    release();
    if (queue.get(stream) === mine) queue.delete(stream);
  });
}

/**
 * Runs `work` (load, decide, append) while no other command of this process works on any of
 * `streams`: commands on one stream take turns, in arrival order, instead of racing.
 *
 * Optimistic concurrency stays the guard (the append's expected revision, and other processes);
 * this only stops a process from colliding with itself. Without it, sixteen officers submitting to
 * one programme at once kept losing to each other (one append per group commit wins), and some ran
 * out of attempts with 409 CONCURRENCY_CONFLICT. Streams are taken in sorted order, so two commands
 * over the same pair of streams cannot each hold one and wait for the other.
 */
export async function inStreamTurn<T>(store: EventStore, streams: readonly string[], work: () => Promise<T>): Promise<T> {
  let queue = queues.get(store);
  if (!queue) {
    queue = new Map();
    queues.set(store, queue);
  }
  const releases: Array<() => void> = [];
  try {
    for (const stream of [...new Set(streams)].sort()) releases.push(await turn(queue, stream));
    return await work();
  } finally {
    for (const release of releases.reverse()) release();
  }
}
