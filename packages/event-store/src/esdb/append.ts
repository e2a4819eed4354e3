import { setTimeout as sleep } from 'node:timers/promises';
import type { AppendResult as EsdbAppendResult, EventStoreDBClient } from '@eventstore/db-client';
import { concurrencyError } from '../errors.js';
import type { AppendOptions, AppendResult, EventToAppend } from '../event-store.js';
import type { StoreLogger } from '../logger.js';
import { START_POSITION } from '../position.js';
import { assertStreamName, normaliseExpectedRevision, validateEvents } from '../validation.js';
import { chainEvents, draftEvents, type ChainedEnvelope } from './chain.js';
import { claimIds } from './claims.js';
import { toEsdbEventData } from './envelope.js';
import { isWrongExpectedVersion, toPortError } from './errors.js';
import { settleRefusal } from './idempotency.js';
import { findIdsInStream, readHead } from './read.js';
import { nextRecordedAt } from './recorded-at.js';
import { expectationFails, toEsdbExpectedRevision, type PortExpectedRevision } from './revisions.js';

export interface EsdbAppendContext {
  client: EventStoreDBClient;
  maxEventBytes: number;
  logger: StoreLogger;
  /** Milliseconds since the epoch: the clock recordedAt is taken from. */
  now: () => number;
}

/** An 'any' append that keeps losing the race for the next revision gives up after this. */
const MAX_ATTEMPTS = 50;

/**
 * Appends on EventStoreDB. The hash covers the revision and the previous hash, so every write
 * is made at the exact revision read just before (`'any'` and `'stream_exists'` are checked
 * here, then written as that exact revision, and retried when another writer got there first).
 * The steps: claim the ids (claims.ts), read the stream head, look up ids that may already be
 * stored, check the expectation, chain and hash, append with the exact expected revision, and
 * read the last event back for its position.
 */
export async function appendToEsdb(ctx: EsdbAppendContext, stream: string, input: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
  assertStreamName(stream);
  const expected = normaliseExpectedRevision(options?.expectedRevision);
  const drafts = draftEvents(stream, validateEvents(input), ctx.maxEventBytes);
  const ids = drafts.map((d) => d.id);
  const claimedBefore = ids.length > 0 ? await claimIds(ctx.client, stream, ids) : new Set<string>();
  for (let attempt = 1; ; attempt++) {
    const head = await readHead(ctx.client, stream);
    if (claimedBefore.size > 0 || attempt > 1) {
      const found = await findIdsInStream(ctx.client, stream, ids);
      if (found.size > 0) return settleRefusal(stream, ids, expected, found, head?.revision);
    }
    if (expectationFails(expected, head?.revision)) throw concurrencyError(stream, expected, head?.revision);
    if (drafts.length === 0) return { nextRevision: head?.revision ?? -1, position: head?.position ?? START_POSITION };
    const envelopes = chainEvents(stream, head, drafts, nextRecordedAt(ctx.now(), head?.recordedAt));
    let written: EsdbAppendResult;
    try {
      written = await ctx.client.appendToStream(stream, envelopes.map(toEsdbEventData), {
        expectedRevision: toEsdbExpectedRevision(head ? head.revision : 'no_stream'),
      });
    } catch (err) {
      if (!isWrongExpectedVersion(err)) throw toPortError(err, { stream, expected });
      if (attempt >= MAX_ATTEMPTS) throw toPortError(err, { stream, expected });
      // The next attempt re-reads the head: an exact expectation then fails with the actual
      // revision, unless these very ids were written meanwhile (a racing retry).
      if (isLoose(expected)) {
        ctx.logger.debug({ stream, attempt }, 'append lost the race for a revision; retrying');
        await sleep(Math.random() * Math.min(20, attempt * 2));
      }
      continue;
    }
    return confirm(ctx, stream, expected, envelopes, written);
  }
}

function isLoose(expected: PortExpectedRevision): boolean {
  return expected === 'any' || expected === 'stream_exists';
}

/**
 * ESDB's append result carries the position of the write as a whole, which for a batch is not
 * always the last event's; and an append ESDB judged idempotent wrote nothing. Reading the last
 * revision back answers both: its position, and whether it holds this append's last event.
 */
async function confirm(ctx: EsdbAppendContext, stream: string, expected: PortExpectedRevision, envelopes: ChainedEnvelope[], written: EsdbAppendResult): Promise<AppendResult> {
  const last = envelopes[envelopes.length - 1];
  if (!last) throw new Error('confirm called without events');
  const ids = envelopes.map((e) => e.id);
  const found = await findIdsInStream(ctx.client, stream, [last.id]);
  const stored = found.get(last.id);
  if (stored && stored.revision === last.revision) return { nextRevision: stored.revision, position: stored.position };
  ctx.logger.warn({ stream, nextExpectedRevision: String(written.nextExpectedRevision) }, 'append answered without writing; settling as a retry');
  return settleRefusal(stream, ids, expected, await findIdsInStream(ctx.client, stream, ids), Number(written.nextExpectedRevision));
}
