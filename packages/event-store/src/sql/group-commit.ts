import { channel } from 'node:diagnostics_channel';
import type { AppendResult } from '../event-store.js';
import { START_POSITION } from '../position.js';
import { appendsParams, runAppend, type AppendContext, type PreparedAppend } from './append.js';
import { trustedPosition } from './rows.js';
import { APPEND_BATCH, PREPARED } from './statements.js';

export interface GroupCommitOptions {
  /** Batches in flight at once; appends arriving meanwhile wait and go together in the next one. */
  maxInFlight: number;
  /** Most events in one batch. */
  maxEvents: number;
  /**
   * A batch running longer than this (waiting on another transaction's lock, say) stops counting
   * against `maxInFlight`, so the appends queued behind it are not held up by it.
   */
  stallMs: number;
  /** Batches running at once, stalled ones included (keep it below the connection pool's size). */
  maxConcurrent: number;
}

type Outcome = AppendResult & { written: boolean };

/**
 * Every finished group commit is published here, when anything listens
 * (`diagnostics_channel.subscribe(GROUP_COMMIT_CHANNEL, …)`): when it started (epoch ms, sub-ms
 * precision), how long it ran, and how many appends and events it carried. Nothing is built or
 * sent while nobody subscribes. The benchmark's trace (scripts/bench/server.ts) listens.
 */
export const GROUP_COMMIT_CHANNEL = 'gongguan:event-store:group-commit';
const batches = channel(GROUP_COMMIT_CHANNEL);

export interface GroupCommitMessage {
  startedAt: number;
  ms: number;
  appends: number;
  events: number;
}

interface Pending {
  prepared: PreparedAppend;
  resolve(result: Outcome): void;
  reject(err: unknown): void;
}

interface BatchRow {
  ordinal: number;
  outcome: 'ok' | 'conflict' | 'duplicate';
  next_revision: number;
  last_position: string | null;
}

/**
 * Group commit without a timer: an append goes at the end of the event loop's current turn
 * (`setImmediate`) while fewer than `maxInFlight` batches are running; appends that arrive
 * meanwhile, or while a batch runs, are sent together, in arrival order, as one
 * call of `event_store.append_batch` (one round trip, one statement, one commit), as soon as a
 * batch finishes. Alone, an append costs what it did before; under load, many share a commit.
 *
 * Each append in a batch is decided exactly as if it ran alone at its place in the order. One
 * that the batch could not write (its expected revision no longer holds, or an id is already
 * stored) runs again on its own, after the batch, through the single-append path, which tells a
 * conflict from a duplicate from a retry of an append that already succeeded. If the batch fails
 * as a whole (a race with another transaction on the unique indexes, a lost connection), nothing
 * of it was written, and every append runs on its own.
 */
export function createGroupCommit(ctx: AppendContext, options: GroupCommitOptions): (prepared: PreparedAppend) => Promise<Outcome> {
  for (const [name, value] of Object.entries(options)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`groupCommit.${name} must be a positive integer, not ${String(value)}`);
  }
  const queue: Pending[] = [];
  /** Start times of the batches running. */
  const running = new Set<{ started: number }>();
  const busy = (): number => {
    const now = performance.now();
    let count = 0;
    for (const batch of running) if (now - batch.started < options.stallMs) count++;
    return count;
  };

  function pump(): void {
    while (queue.length > 0 && running.size < options.maxConcurrent && busy() < options.maxInFlight) {
      const batch: Pending[] = [];
      let events = 0;
      while (queue.length > 0 && (batch.length === 0 || events + queue[0]!.prepared.events.length <= options.maxEvents)) {
        const next = queue.shift()!;
        events += next.prepared.events.length;
        batch.push(next);
      }
      const entry = { started: performance.now() };
      running.add(entry);
      // If it stalls, look at the queue again then.
      const stalled = setTimeout(pump, options.stallMs + 1);
      stalled.unref();
      void run(batch).finally(() => {
        if (batches.hasSubscribers) {
          const message: GroupCommitMessage = { startedAt: performance.timeOrigin + entry.started, ms: performance.now() - entry.started, appends: batch.length, events };
          batches.publish(message);
        }
        clearTimeout(stalled);
        running.delete(entry);
        pump();
      });
    }
  }

  async function alone(pending: Pending): Promise<void> {
    try {
      pending.resolve(await runAppend(ctx, pending.prepared));
    } catch (err) {
      pending.reject(err);
    }
  }

  async function run(arrived: Pending[]): Promise<void> {
    if (arrived.length === 1) return alone(arrived[0]!);
    // Streams in one order in every batch (appends to one stream keep their order: the sort is
    // stable): two batches that wait on each other's unique-index entries cannot deadlock.
    const batch = [...arrived].sort((x, y) => (x.prepared.stream < y.prepared.stream ? -1 : x.prepared.stream > y.prepared.stream ? 1 : 0));
    let rows: BatchRow[];
    try {
      rows = (await ctx.sql.query<BatchRow>(APPEND_BATCH, appendsParams(ctx, batch.map((p) => p.prepared)), PREPARED)).rows;
    } catch (err) {
      ctx.logger.debug({ err, appends: batch.length }, 'a group commit failed as a whole; its appends run one by one');
      await Promise.all(batch.map(alone));
      return;
    }
    const again: Pending[] = [];
    batch.forEach((pending, k) => {
      const row = rows[k];
      if (row?.outcome !== 'ok') {
        again.push(pending);
        return;
      }
      pending.resolve({
        nextRevision: row.next_revision,
        position: row.last_position === null ? START_POSITION : trustedPosition(row.last_position),
        written: pending.prepared.events.length > 0,
      });
    });
    await Promise.all(again.map(alone));
  }

  // The first append of a quiet spell waits for the end of this turn of the event loop, so the
  // requests already read from the network in the same turn join it. That matters most for
  // PGlite, whose queries run on this thread: while one runs, nothing else can queue behind it.
  let scheduled = false;
  const flushSoon = (): void => {
    scheduled = false;
    pump();
  };
  return (prepared) =>
    new Promise<Outcome>((resolve, reject) => {
      queue.push({ prepared, resolve, reject });
      if (!scheduled) {
        scheduled = true;
        setImmediate(flushSoon);
      }
    });
}
