import { setTimeout as sleep } from 'node:timers/promises';
import type { Sql } from '@gongguan/platform/db';
import { concurrencyError, duplicateEventId } from '../errors.js';
import type { AppendOptions, AppendResult, EventToAppend } from '../event-store.js';
import type { StoreLogger } from '../logger.js';
import { START_POSITION } from '../position.js';
import { prepareEvent } from '../prepare-event.js';
import { assertStreamName, normaliseExpectedRevision, validateEvents } from '../validation.js';
import { encodeColumns } from './array-literal.js';
import { trustedPosition } from './rows.js';
import { APPEND, FIND_IDS, PREPARED, STREAM_REVISION } from './statements.js';

export interface AppendContext {
  sql: Sql;
  maxEventBytes: number;
  /** PGlite: NOTIFY inside the append (one connection, nothing to serialise). */
  notifyInline: boolean;
  logger: StoreLogger;
}

export type Expected = ReturnType<typeof normaliseExpectedRevision>;

/** An 'any' append that keeps losing the race for the next revision gives up after this. */
export const MAX_ATTEMPTS = 50;

/** An append validated and turned into the SQL function's arguments, ready to run alone or in a batch. */
export interface PreparedAppend {
  stream: string;
  expected: Expected;
  events: EventToAppend[];
  /** ids, types, schema versions, data, metadata, hash heads, hash tails: one entry per event. */
  arrays: unknown[][];
}

/**
 * Validates and prepares the events in JS (canonical JSON, size): every refusal of bad input is
 * thrown here, before anything is queued or sent.
 */
export function prepareAppend(ctx: Pick<AppendContext, 'maxEventBytes'>, stream: string, input: readonly EventToAppend[], options: AppendOptions): PreparedAppend {
  assertStreamName(stream);
  const expected = normaliseExpectedRevision(options?.expectedRevision);
  const events = validateEvents(input);
  return { stream, expected, events, arrays: prepare(ctx, stream, events) };
}

/**
 * One append in one call of `event_store.append`, which reads the stream head, checks the
 * expected revision, hashes and inserts; the unique (stream, revision) index settles races
 * (migrations/003_append_function.sql, 004_append_batch.sql).
 */
export async function runAppend(ctx: AppendContext, prepared: PreparedAppend): Promise<AppendResult & { written: boolean }> {
  const { stream, expected, events } = prepared;
  const params = [
    stream,
    typeof expected === 'number' ? 'exact' : expected,
    typeof expected === 'number' ? expected : null,
    ...encodeColumns(prepared.arrays),
    ctx.notifyInline,
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      const { rows } = await ctx.sql.query<{ next_revision: number; last_position: string | null }>(APPEND, params, PREPARED);
      const row = rows[0];
      if (!row) throw new Error('event_store.append returned no row');
      const position = row.last_position === null ? START_POSITION : trustedPosition(row.last_position);
      return { nextRevision: row.next_revision, position, written: events.length > 0 };
    } catch (err) {
      const code = errorCode(err);
      if (code === 'GG001') return settleRefusal(ctx, stream, events, expected, actualRevisionOf(err));
      if (code !== '23505') throw err;
      if (constraintOf(err) === 'events_id_key') return settleRefusal(ctx, stream, events, expected, await currentRevision(ctx.sql, stream));
      // Another append took the revision between our read of the head and our insert.
      if ((expected !== 'any' && expected !== 'stream_exists') || attempt >= MAX_ATTEMPTS) {
        return settleRefusal(ctx, stream, events, expected, await currentRevision(ctx.sql, stream));
      }
      ctx.logger.debug({ stream, attempt }, 'append lost the race for a revision; retrying');
      await sleep(Math.random() * Math.min(20, attempt * 2));
    }
  }
}

/** The per-event arrays `event_store.append` takes, after the two expected-revision arguments. */
function prepare(ctx: Pick<AppendContext, 'maxEventBytes'>, stream: string, events: readonly EventToAppend[]): unknown[][] {
  const ids: string[] = [];
  const types: string[] = [];
  const schemaVersions: number[] = [];
  const data: string[] = [];
  const metadataTexts: string[] = [];
  const heads: string[] = [];
  const tails: string[] = [];
  events.forEach((event, i) => {
    const { metadata, parts } = prepareEvent(stream, event, i, ctx.maxEventBytes);
    ids.push(event.id);
    types.push(event.type);
    schemaVersions.push(event.schemaVersion);
    // Stored as written; JSON.parse of it gives back a value with the same canonical form.
    data.push(JSON.stringify(event.data));
    metadataTexts.push(JSON.stringify(metadata));
    heads.push(parts.head);
    tails.push(parts.tail);
  });
  return [ids, types, schemaVersions, data, metadataTexts, heads, tails];
}

/**
 * The arguments of `event_store.append_batch` and `append_multi`: per append its stream, expected
 * revision and event count, then the per-event arrays of all appends flattened in order.
 */
export function appendsParams(ctx: Pick<AppendContext, 'notifyInline'>, parts: readonly PreparedAppend[]): unknown[] {
  const streams: string[] = [];
  const expected: string[] = [];
  const revisions: Array<number | null> = [];
  const counts: number[] = [];
  const columns: unknown[][] = [[], [], [], [], [], [], []];
  for (const part of parts) {
    streams.push(part.stream);
    expected.push(typeof part.expected === 'number' ? 'exact' : part.expected);
    revisions.push(typeof part.expected === 'number' ? part.expected : null);
    counts.push(part.events.length);
    part.arrays.forEach((values, c) => {
      for (const value of values) columns[c]!.push(value);
    });
  }
  return [streams, expected, revisions, counts, ...encodeColumns(columns), ctx.notifyInline];
}

async function currentRevision(sql: Sql, stream: string): Promise<number | undefined> {
  const { rows } = await sql.query<{ revision: number }>(STREAM_REVISION, [stream], PREPARED);
  return rows[0]?.revision;
}

/**
 * The append cannot be written as asked. If every id is already stored in this stream, in order,
 * at the revisions this append would have given them, it is a retry of an append that succeeded:
 * answer as the first time. Ids stored anywhere else are a duplicate; otherwise it is a conflict.
 */
async function settleRefusal(
  ctx: AppendContext,
  stream: string,
  events: readonly EventToAppend[],
  expected: Expected,
  actual: number | undefined,
): Promise<AppendResult & { written: false }> {
  if (events.length > 0) {
    const { rows } = await ctx.sql.query<{ id: string; stream: string; revision: number; position: string }>(FIND_IDS, [events.map((e) => e.id)], PREPARED);
    if (rows.length > 0) {
      const byId = new Map(rows.map((r) => [r.id, r]));
      const stored = events.map((e) => byId.get(e.id));
      const start = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : stored[0]?.revision;
      const isRetry = stored.every((r, i) => r !== undefined && r.stream === stream && r.revision === (start ?? -1) + i);
      const last = stored[stored.length - 1];
      if (isRetry && last) return { nextRevision: last.revision, position: trustedPosition(last.position), written: false };
      throw duplicateEventId(stream, rows.map((r) => r.id));
    }
  }
  throw concurrencyError(stream, expected, actual);
}

export function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

export function constraintOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  if ('constraint' in err && typeof err.constraint === 'string') return err.constraint;
  const message = 'message' in err && typeof err.message === 'string' ? err.message : '';
  return /"([a-z_]+)"/.exec(message)?.[1];
}

function actualRevisionOf(err: unknown): number | undefined {
  const detail = typeof err === 'object' && err !== null && 'detail' in err ? Number(err.detail) : Number.NaN;
  if (!Number.isSafeInteger(detail)) throw err;
  return detail < 0 ? undefined : detail;
}
