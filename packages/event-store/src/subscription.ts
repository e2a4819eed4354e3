import { setTimeout as sleep } from 'node:timers/promises';
import type { Doorbell } from './doorbell.js';
import type { EventFilter, ReadAllResult, SubscriptionItem } from './event-store.js';
import { START_POSITION, type Position } from './position.js';

export interface FollowOptions {
  after?: Position | undefined;
  filter?: EventFilter | undefined;
  batchSize: number;
  /** Aborted by the caller or by the store closing. */
  signal: AbortSignal;
  /** Longest sleep without a wake-up: the safety net for lost notifications. */
  idlePollMs: number;
  /** Once live, at least this long between the starts of two reads (see SubscribeOptions). */
  minWakeIntervalMs?: number | undefined;
}

/** A page read plus whether committed events wait above the read horizon. */
export type FollowPage = ReadAllResult & { held: boolean };

/**
 * Catch up page by page, say so once, then sleep until woken (a local append, a NOTIFY from
 * another process, or the poll interval). While events are held back behind a transaction
 * still in progress, look again soon with a growing back-off instead of waiting for a wake-up
 * that the unrelated transaction will never send.
 */
export async function* follow(
  read: (after: Position, limit: number, filter: EventFilter | undefined) => Promise<FollowPage>,
  bell: Doorbell,
  options: FollowOptions,
): AsyncGenerator<SubscriptionItem, void, undefined> {
  const { signal } = options;
  let position = options.after ?? START_POSITION;
  let announced = false;
  let heldDelay = 5;
  const minWake = options.minWakeIntervalMs ?? 0;
  let readStarted = 0;
  let live = false;
  while (!signal.aborted) {
    if (live && minWake > 0) {
      const rest = readStarted + minWake - performance.now();
      if (rest > 0) await sleep(rest, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
    const ticket = bell.ticket();
    readStarted = performance.now();
    const page = await read(position, options.batchSize, options.filter);
    for (const event of page.events) {
      if (signal.aborted) return;
      yield { kind: 'event', event };
    }
    position = page.position;
    live = page.caughtUp;
    if (!page.caughtUp) continue;
    if (!announced) {
      announced = true;
      yield { kind: 'caught-up', position };
    }
    if (page.held) {
      await bell.wait(ticket, heldDelay, signal);
      heldDelay = Math.min(heldDelay * 2, options.idlePollMs);
    } else {
      heldDelay = 5;
      await bell.wait(ticket, options.idlePollMs, signal);
    }
  }
}

/**
 * What both adapters' `subscribe` return: `start`'s items, ended (quietly) when the caller's
 * signal or the store's closing aborts, with the listeners removed when iteration ends.
 */
export function linkedSubscription(
  closing: AbortSignal,
  callerSignal: AbortSignal | undefined,
  start: (signal: AbortSignal) => AsyncIterable<SubscriptionItem>,
): AsyncIterable<SubscriptionItem> {
  const stop = new AbortController();
  const abort = (): void => stop.abort();
  closing.addEventListener('abort', abort, { once: true });
  callerSignal?.addEventListener('abort', abort, { once: true });
  if (callerSignal?.aborted) stop.abort();
  const items = start(stop.signal);
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield* items;
      } finally {
        closing.removeEventListener('abort', abort);
        callerSignal?.removeEventListener('abort', abort);
      }
    },
  };
}
