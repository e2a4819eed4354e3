import type { Sql } from '@gongguan/platform/db';
import { streamNotFound } from '../errors.js';
import type { EventFilter, ReadStreamOptions, RecordedEvent } from '../event-store.js';
import { positionParts, START_POSITION, type Position } from '../position.js';
import type { FollowPage } from '../subscription.js';
import { assertStreamName, checkFilter, instantOption, limitOption, revisionBound, validationFailed } from '../validation.js';
import { toRecordedEvent, trustedPosition, type EventRow } from './rows.js';
import {
  LAST_BELOW_HORIZON,
  LAST_POSITION,
  PREPARED,
  READ_HORIZON,
  readAllStatement,
  readStreamStatement,
  STREAM_EXISTS,
} from './statements.js';

export const READ_ALL_MAX = 10_000;
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

export async function readStream(sql: Sql, stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  assertStreamName(stream);
  const from = revisionBound(options.fromRevision, 'fromRevision') ?? 0;
  const to = revisionBound(options.toRevision, 'toRevision') ?? NO_UPPER_BOUND;
  const until = instantOption(options.untilRecordedAt, 'untilRecordedAt');
  const limit = options.limit === undefined ? undefined : limitOption(options.limit, 0, NO_UPPER_BOUND);
  const direction = options.direction ?? 'forwards';
  if (direction !== 'forwards' && direction !== 'backwards') {
    throw validationFailed('direction is not valid', [{ path: 'direction', message: "must be 'forwards' or 'backwards'" }]);
  }
  // Forwards from a revision after the first, the event just before it is read too: revisions
  // have no gaps, so it is there whenever the stream has reached `from`, and it proves the stream
  // exists without a second query when nothing came after it (a cached state asking what it
  // missed, the usual read of a command or a GET). It is not returned.
  const lookBehind = direction === 'forwards' && from > 0 && until === undefined && to >= from;
  const params: unknown[] = [stream, lookBehind ? from - 1 : from, to];
  if (until !== undefined) params.push(until);
  if (limit !== undefined) params.push(lookBehind ? limit + 1 : limit);
  const text = readStreamStatement({ until: until !== undefined, backwards: direction === 'backwards', limit: limit !== undefined });
  const { rows } = await sql.query<EventRow>(text, params, PREPARED);
  if (lookBehind && rows.length > 0 && Number(rows[0]!.revision) === from - 1) {
    rows.shift();
  } else if (rows.length === 0 && direction === 'forwards' && from === 0 && until === undefined && limit !== 0) {
    // Nothing from revision 0 on: the stream has no events, so it does not exist (revisions start
    // at 0 and have no gaps). A command's first look at a stream that is not there yet (a new
    // project, the bureau registry of a deployment without bureaus) costs one query, not two.
    throw streamNotFound(stream);
  } else if (rows.length === 0) {
    const exists = await sql.query(STREAM_EXISTS, [stream], PREPARED);
    if (exists.rows.length === 0) throw streamNotFound(stream);
  }
  return rows.map(toRecordedEvent);
}

interface Horizon {
  /** Decimal transaction id: rows with a lower tx are final. */
  horizon: string;
  held: boolean;
}

async function readHorizon(sql: Sql): Promise<Horizon> {
  const { rows } = await sql.query<Horizon>(READ_HORIZON, [], PREPARED);
  const row = rows[0];
  if (!row) throw new Error('reading the horizon returned no row');
  return row;
}

function afterParams(after: Position): [string, string] {
  const { major, minor } = positionParts(after);
  return [major.toString(), minor.toString()];
}

/**
 * One page of the global log in (tx, seq) order, below the horizon read just before, so nothing
 * returned can later be overtaken by an event committing with a lower position.
 */
export async function readAllPage(
  sql: Sql,
  after: Position,
  limit: number,
  filter: EventFilter | undefined,
): Promise<FollowPage> {
  const checked = checkFilter(filter);
  // Prefixes become LIKE patterns, their own wildcards escaped.
  const prefixes = checked.prefixes?.map((p) => `${p.replace(/[\\%_]/g, '\\$&')}%`);
  const types = checked.types;
  const { horizon, held } = await readHorizon(sql);
  const [afterTx, afterSeq] = afterParams(after);
  const params: unknown[] = [afterTx, afterSeq, horizon, limit];
  if (prefixes) params.push(prefixes);
  if (types) params.push(types);
  const { rows } = await sql.query<EventRow>(readAllStatement({ prefixes: prefixes !== undefined, types: types !== undefined }), params, PREPARED);
  const events = rows.map(toRecordedEvent);
  const last = events[events.length - 1];
  if (events.length === limit && last) return { events, position: last.position, caughtUp: false, held };
  // Below the limit: everything up to the horizon has been seen. With a filter, rows it skipped
  // may lie beyond the last match; moving past them saves the next read from scanning them again.
  let position = last?.position ?? after;
  if (prefixes || types) {
    const scanned = await sql.query<{ position: string }>(LAST_BELOW_HORIZON, [horizon, afterTx, afterSeq], PREPARED);
    const end = scanned.rows[0]?.position;
    if (end !== undefined && end > position) position = trustedPosition(end);
  }
  return { events, position, caughtUp: true, held };
}

export async function lastPosition(sql: Sql): Promise<Position> {
  const { rows } = await sql.query<{ position: string }>(LAST_POSITION, [], PREPARED);
  const last = rows[0]?.position;
  return last === undefined ? START_POSITION : trustedPosition(last);
}

export async function headPosition(sql: Sql): Promise<Position> {
  const { horizon } = await readHorizon(sql);
  const { rows } = await sql.query<{ position: string }>(LAST_BELOW_HORIZON, [horizon, '0', '0'], PREPARED);
  const end = rows[0]?.position;
  return end === undefined ? START_POSITION : trustedPosition(end);
}
