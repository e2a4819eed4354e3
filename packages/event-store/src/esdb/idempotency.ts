import { concurrencyError, duplicateEventId } from '../errors.js';
import type { AppendResult } from '../event-store.js';
import type { Position } from '../position.js';
import type { PortExpectedRevision } from './revisions.js';

/** Where an event id is stored: a stream, and in this stream its revision and position. */
export interface StoredId {
  stream: string;
  revision?: number;
  position?: Position;
}

/**
 * An append that cannot be written as asked, with the ids of its events that are already stored.
 * If every id is in this stream, in order, at the revisions the append would have given them
 * (for `'any'`/`'stream_exists'`: consecutive from the first), it is a retry of an append that
 * succeeded: the first result. Ids stored anywhere else are DUPLICATE_EVENT_ID; no id stored at
 * all is a CONCURRENCY_CONFLICT with the actual revision. The same rule as the SQL adapter.
 */
export function settleRefusal(
  stream: string,
  ids: readonly string[],
  expected: PortExpectedRevision,
  found: ReadonlyMap<string, StoredId>,
  actual: number | undefined,
): AppendResult {
  if (ids.length === 0 || found.size === 0) throw concurrencyError(stream, expected, actual);
  const stored = ids.map((id) => found.get(id));
  const start = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : stored[0]?.revision;
  const isRetry =
    start !== undefined && stored.every((s, i) => s !== undefined && s.stream === stream && s.revision === start + i);
  const last = stored[stored.length - 1];
  if (isRetry && last?.revision !== undefined && last.position !== undefined) {
    return { nextRevision: last.revision, position: last.position };
  }
  throw duplicateEventId(stream, ids.filter((id) => found.has(id)));
}
