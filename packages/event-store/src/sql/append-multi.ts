import { setTimeout as sleep } from 'node:timers/promises';
import { concurrencyError, duplicateEventId } from '../errors.js';
import type { AppendResult, StreamAppend } from '../event-store.js';
import type { Position } from '../position.js';
import { START_POSITION } from '../position.js';
import { expectationFails } from '../esdb/revisions.js';
import { validationFailed } from '../validation.js';
import { appendsParams, constraintOf, errorCode, MAX_ATTEMPTS, prepareAppend, type AppendContext, type PreparedAppend } from './append.js';
import { trustedPosition } from './rows.js';
import { APPEND_MULTI, FIND_IDS, PREPARED, STREAM_HEADS } from './statements.js';

interface MultiRow {
  ordinal: number;
  next_revision: number;
  last_position: string | null;
}

interface Head {
  revision: number;
  position: Position;
}

/** A refusal the SQL function raised: which append (0-based, in sorted order) and why. */
type Refusal = { kind: 'conflict'; index: number; actual: number } | { kind: 'duplicate' } | { kind: 'race' };

/**
 * Validates every part first (a bad one refuses the call before anything is sent): each stream at
 * most once, each event id at most once across the call.
 */
export function prepareMulti(ctx: Pick<AppendContext, 'maxEventBytes'>, appends: readonly StreamAppend[]): PreparedAppend[] {
  if (!Array.isArray(appends as unknown)) throw validationFailed('appends must be an array', [{ path: 'appends', message: 'must be an array' }]);
  const streams = new Set<string>();
  const ids = new Set<string>();
  return appends.map((part, k) => {
    const prepared = prepareAppend(ctx, part.stream, part.events, { expectedRevision: part.expectedRevision });
    if (streams.has(prepared.stream)) {
      throw validationFailed('a stream appears twice in one appendMulti', [{ path: `appends[${k}].stream`, message: 'appears twice' }]);
    }
    streams.add(prepared.stream);
    for (const [i, event] of prepared.events.entries()) {
      if (ids.has(event.id)) throw validationFailed('an event id appears twice in one appendMulti', [{ path: `appends[${k}].events[${i}].id`, message: 'appears twice' }]);
      ids.add(event.id);
    }
    return prepared;
  });
}

/**
 * Every append in one call of `event_store.append_multi`, one transaction: all written or none
 * (migrations/005_append_multi.sql). The parts go in stream order, as a group-commit batch does, so
 * two calls waiting on each other's index entries cannot deadlock; results come back in the
 * caller's order. The call bypasses the group commit: it is already one statement and one commit,
 * and the read horizon (transaction ids) keeps `readAll` from skipping it either way.
 */
export async function runAppendMulti(ctx: AppendContext, parts: readonly PreparedAppend[]): Promise<{ results: AppendResult[]; written: boolean }> {
  if (parts.length === 0) return { results: [], written: false };
  const order = parts.map((_, k) => k).sort((x, y) => (parts[x]!.stream < parts[y]!.stream ? -1 : parts[x]!.stream > parts[y]!.stream ? 1 : 0));
  const sorted = order.map((k) => parts[k]!);
  const params = appendsParams(ctx, sorted);
  for (let attempt = 1; ; attempt++) {
    let refusal: Refusal;
    try {
      const { rows } = await ctx.sql.query<MultiRow>(APPEND_MULTI, params, PREPARED);
      const inSortedOrder = sorted.map((_, k): AppendResult => {
        const row = rows.find((r) => r.ordinal === k + 1);
        if (!row) throw new Error(`event_store.append_multi returned no row for append ${k + 1}`);
        return { nextRevision: row.next_revision, position: row.last_position === null ? START_POSITION : trustedPosition(row.last_position) };
      });
      return { results: unsort(order, inSortedOrder), written: sorted.some((p) => p.events.length > 0) };
    } catch (err) {
      refusal = refusalOf(err);
    }
    const settled = await settleRefusal(ctx, sorted, refusal);
    if (settled) return { results: unsort(order, settled), written: false };
    // Another transaction took a revision between our read of a head and our insert, and every
    // expectation still holds ('any' / 'stream_exists'; or the other writer rolled back): again.
    if (attempt >= MAX_ATTEMPTS) throw new Error(`appendMulti lost the race for a revision ${attempt} times`);
    ctx.logger.debug({ streams: sorted.map((p) => p.stream), attempt }, 'appendMulti lost the race for a revision; retrying');
    await sleep(Math.random() * Math.min(20, attempt * 2));
  }
}

function refusalOf(err: unknown): Refusal {
  const code = errorCode(err);
  if (code === 'GG002') {
    const detail = typeof err === 'object' && err !== null && 'detail' in err ? String(err.detail) : '';
    const match = /^(\d+):(-?\d+)$/.exec(detail);
    if (!match) throw err;
    return { kind: 'conflict', index: Number(match[1]) - 1, actual: Number(match[2]) };
  }
  if (code === 'GG003') return { kind: 'duplicate' };
  if (code === '23505') return constraintOf(err) === 'events_id_key' ? { kind: 'duplicate' } : { kind: 'race' };
  throw err;
}

/**
 * Nothing was written. If every event of the call is already stored where this call would have
 * put it, it is a retry of a call that succeeded: answer as the first time. Ids stored anywhere
 * else are a duplicate; otherwise the first stream whose expectation fails is the conflict.
 * Undefined: every expectation holds now (a lost race of a loose expectation): run again.
 */
async function settleRefusal(ctx: AppendContext, sorted: readonly PreparedAppend[], refusal: Refusal): Promise<AppendResult[] | undefined> {
  const ids = sorted.flatMap((p) => p.events.map((e) => e.id));
  const heads = await streamHeads(ctx, sorted.map((p) => p.stream));
  if (ids.length > 0) {
    const { rows } = await ctx.sql.query<{ id: string; stream: string; revision: number; position: string }>(FIND_IDS, [ids], PREPARED);
    if (rows.length > 0) {
      const byId = new Map(rows.map((r) => [r.id, r]));
      const answer = sorted.map((part): AppendResult | undefined => {
        const stored = part.events.map((e) => byId.get(e.id));
        if (part.events.length === 0) {
          const head = heads.get(part.stream);
          return { nextRevision: typeof part.expected === 'number' ? part.expected : (head?.revision ?? -1), position: head?.position ?? START_POSITION };
        }
        const start = part.expected === 'no_stream' ? 0 : typeof part.expected === 'number' ? part.expected + 1 : (stored[0]?.revision ?? -1);
        const isRetry = stored.every((r, i) => r !== undefined && r.stream === part.stream && r.revision === start + i);
        const last = stored[stored.length - 1];
        return isRetry && last ? { nextRevision: last.revision, position: trustedPosition(last.position) } : undefined;
      });
      if (answer.every((a) => a !== undefined)) return answer;
      const first = rows[0]!;
      throw duplicateEventId(first.stream, rows.map((r) => r.id));
    }
  }
  if (refusal.kind === 'conflict') {
    const part = sorted[refusal.index];
    if (!part) throw new Error(`append_multi named append ${refusal.index + 1} of ${sorted.length}`);
    throw concurrencyError(part.stream, part.expected, refusal.actual < 0 ? undefined : refusal.actual);
  }
  for (const part of sorted) {
    const actual = heads.get(part.stream)?.revision;
    if (expectationFails(part.expected, actual)) throw concurrencyError(part.stream, part.expected, actual);
  }
  return undefined;
}

async function streamHeads(ctx: AppendContext, streams: readonly string[]): Promise<Map<string, Head>> {
  const { rows } = await ctx.sql.query<{ stream: string; revision: number; position: string }>(STREAM_HEADS, [streams], PREPARED);
  return new Map(rows.map((r) => [r.stream, { revision: r.revision, position: trustedPosition(r.position) }]));
}

function unsort<T>(order: readonly number[], inSortedOrder: readonly T[]): T[] {
  const out = new Array<T>(order.length);
  order.forEach((original, k) => {
    out[original] = inSortedOrder[k]!;
  });
  return out;
}
