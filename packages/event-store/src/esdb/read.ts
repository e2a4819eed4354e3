import type { AllStreamResolvedEvent, EventStoreDBClient, ResolvedEvent, StreamingRead } from '@eventstore/db-client';
import { streamNotFound } from '../errors.js';
import type { ReadAllResult, ReadStreamOptions, RecordedEvent } from '../event-store.js';
import { START_POSITION, type Position } from '../position.js';
import { assertStreamName, instantOption, limitOption, revisionBound, validationFailed } from '../validation.js';
import type { StreamHead } from './chain.js';
import { fromEsdbEvent, type EsdbRecord } from './envelope.js';
import { toPortError } from './errors.js';
import { isPortStream, matchesFilter, type CheckedFilter } from './filters.js';
import { fromEsdbPosition, toEsdbPosition } from './positions.js';
import { instantMicros } from './recorded-at.js';

export const READ_ALL_MAX = 10_000;

/**
 * Visits a streaming read until `visit` returns false, then cancels the rest on the server.
 * A client error surfaces as the port's error (STREAM_NOT_FOUND, STORAGE_UNAVAILABLE, ...).
 */
export async function scan<E>(read: StreamingRead<E>, visit: (item: E) => boolean, stream?: string): Promise<void> {
  let stopped = false;
  try {
    for await (const item of read) {
      if (!visit(item)) {
        stopped = true;
        break;
      }
    }
  } catch (err) {
    throw toPortError(err, stream === undefined ? {} : { stream });
  } finally {
    if (stopped) await read.cancel().catch(() => undefined);
  }
}

function recordOf(resolved: ResolvedEvent | AllStreamResolvedEvent): EsdbRecord | undefined {
  return resolved.event;
}

/** The last event of a stream, or undefined when it has none. */
export async function readHead(client: EventStoreDBClient, stream: string): Promise<StreamHead | undefined> {
  let head: StreamHead | undefined;
  try {
    await scan(client.readStream(stream, { direction: 'backwards', fromRevision: 'end', maxCount: 1 }), (resolved) => {
      const record = recordOf(resolved);
      if (record) {
        const event = fromEsdbEvent(record);
        head = { revision: event.revision, hash: event.hash, recordedAt: event.metadata.recordedAt, position: event.position };
      }
      return false;
    }, stream);
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'STREAM_NOT_FOUND') return undefined;
    throw err;
  }
  return head;
}

/** The port's `readStream`: revision range, direction, limit, and "as of" a recorded time. */
export async function readStreamEvents(client: EventStoreDBClient, stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  assertStreamName(stream);
  const from = revisionBound(options.fromRevision, 'fromRevision') ?? 0;
  const to = revisionBound(options.toRevision, 'toRevision');
  const until = instantOption(options.untilRecordedAt, 'untilRecordedAt');
  const limit = options.limit === undefined ? undefined : limitOption(options.limit, 0, Number.MAX_SAFE_INTEGER);
  const direction = options.direction ?? 'forwards';
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw validationFailed('direction is not valid', [{ path: 'direction', message: "must be 'forwards' or 'backwards'" }]);
  }
  const untilMicros = until === undefined ? undefined : instantMicros(until);
  const backwards = direction === 'backwards';
  const start = backwards ? (to === undefined ? 'end' : BigInt(to)) : BigInt(from);
  const span = to === undefined ? Number.MAX_SAFE_INTEGER : to - from + 1;
  if (span <= 0) {
    if (!(await readHead(client, stream))) throw streamNotFound(stream);
    return [];
  }
  // recordedAt never decreases along a stream, so "as of T" is a prefix: forwards, stop at the
  // first later event; backwards, skip the later ones at the top. Only then does the limit count.
  const maxCount = untilMicros === undefined ? Math.min(span, limit ?? span) : span;
  const events: RecordedEvent[] = [];
  await scan(client.readStream(stream, { direction, fromRevision: start, maxCount: BigInt(maxCount) }), (resolved) => {
    const record = recordOf(resolved);
    if (!record) return true;
    const event = fromEsdbEvent(record);
    if (event.revision < from || (to !== undefined && event.revision > to)) return false;
    if (untilMicros !== undefined && instantMicros(event.metadata.recordedAt) > untilMicros) return backwards;
    events.push(event);
    return limit === undefined || events.length < limit;
  }, stream);
  return events;
}

/**
 * Where ids are stored in `stream`: reads it backwards from its end (a retry is usually of its
 * last events) until every id is found or the stream's start. Only called when an id's claim
 * already existed or an attempt lost a race, so the full read is rare.
 */
export async function findIdsInStream(client: EventStoreDBClient, stream: string, ids: readonly string[]): Promise<Map<string, RecordedEvent>> {
  const wanted = new Set(ids);
  const found = new Map<string, RecordedEvent>();
  try {
    await scan(client.readStream(stream, { direction: 'backwards', fromRevision: 'end' }), (resolved) => {
      const record = recordOf(resolved);
      if (record && wanted.has(record.id.toLowerCase())) found.set(record.id.toLowerCase(), fromEsdbEvent(record));
      return found.size < wanted.size;
    }, stream);
  } catch (err) {
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'STREAM_NOT_FOUND') return found;
    throw err;
  }
  return found;
}

/**
 * One page of `$all` after `after`. The client reads `$all` without server-side filters, so the
 * page scans at most `budget` records and filters here. `position` is the last returned event when
 * the page is full; the last port event scanned when the end was reached (system records after it
 * are not worth a checkpoint: the head stays the last port event); the last record scanned when
 * the budget ran out first (so a long run of system records cannot stall a reader).
 */
export async function readAllPage(client: EventStoreDBClient, after: Position, limit: number, filter: CheckedFilter): Promise<ReadAllResult> {
  const budget = Math.max(limit * 4, 4096);
  const events: RecordedEvent[] = [];
  let scanned = 0;
  let lastPort: Position | undefined;
  let lastRaw: Position | undefined;
  await scan(client.readAll({ fromPosition: toEsdbPosition(after), maxCount: BigInt(budget) }), (resolved) => {
    scanned++;
    const record = resolved.event;
    if (!record) return true;
    const position = fromEsdbPosition(record.position);
    // A read from a position may include the record at it.
    if (position <= after) return true;
    lastRaw = position;
    if (!isPortStream(record.streamId)) return true;
    lastPort = position;
    if (!matchesFilter({ stream: record.streamId, type: record.type }, filter)) return true;
    events.push(fromEsdbEvent(record));
    return events.length < limit;
  });
  const last = events[events.length - 1];
  if (events.length === limit && last) return { events, position: last.position, caughtUp: false };
  if (scanned >= budget) return { events, position: lastRaw ?? after, caughtUp: false };
  return { events, position: lastPort ?? after, caughtUp: true };
}

/** The last port event of `$all` (system records and claims after it are skipped). */
export async function lastPortEvent(client: EventStoreDBClient): Promise<RecordedEvent | undefined> {
  let found: RecordedEvent | undefined;
  await scan(client.readAll({ direction: 'backwards', fromPosition: 'end' }), (resolved) => {
    const record = resolved.event;
    if (record && isPortStream(record.streamId)) found = fromEsdbEvent(record);
    return found === undefined;
  });
  return found;
}

export async function headPosition(client: EventStoreDBClient): Promise<Position> {
  return (await lastPortEvent(client))?.position ?? START_POSITION;
}
