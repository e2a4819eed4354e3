import { appError } from '@gongguan/platform/errors';
import { CanonicalJsonError } from './canonical-json.js';
import type { EventMetadata, EventToAppend } from './event-store.js';
import { eventHashParts } from './hash-chain.js';
import { nulPath, validationFailed } from './validation.js';

/**
 * Room the store adds to an event before it is hashed — recordedAt, prevHash, revision and their
 * keys — so every adapter counts the same bytes against the limit.
 */
const ADDED_BYTES = 27 + 16 + 64 + 16 + 20;

export interface PreparedEvent {
  /** The metadata as stored, less `recordedAt` (the store adds it). */
  metadata: Omit<EventMetadata, 'recordedAt'>;
  /** The canonical text hashed, split where the store inserts recordedAt, prevHash and revision. */
  parts: { head: string; tail: string };
}

/**
 * Checks that an event to append has a canonical form and fits `maxEventBytes`, as every adapter
 * must before anything is sent: VALIDATION_FAILED names the bad value's path, EVENT_TOO_LARGE the
 * event's index.
 */
export function prepareEvent(stream: string, event: EventToAppend, index: number, maxEventBytes: number): PreparedEvent {
  const metadata: Omit<EventMetadata, 'recordedAt'> = {
    actorId: event.metadata.actorId,
    actorRole: event.metadata.actorRole,
    correlationId: event.metadata.correlationId,
    causationId: event.metadata.causationId ?? null,
  };
  if (event.metadata.effectiveDate !== undefined) metadata.effectiveDate = event.metadata.effectiveDate;
  if (event.metadata.reason !== undefined) metadata.reason = event.metadata.reason;
  if (event.metadata.backRecorded !== undefined) metadata.backRecorded = { by: event.metadata.backRecorded.by, role: event.metadata.backRecorded.role };
  let parts: { head: string; tail: string };
  try {
    parts = eventHashParts({ id: event.id, stream, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata });
  } catch (err) {
    if (!(err instanceof CanonicalJsonError)) throw err;
    const path = err.path.replace(/^\$/, `events[${index}]`);
    throw validationFailed('an event is not valid JSON', [{ path, message: err.message.slice(err.path.length + 2) }]);
  }
  // JSON escapes U+0000 as \u0000, so a canonical text without that sequence holds none (one scan on the hot path).
  if (parts.head.includes('\\u0000') || parts.tail.includes('\\u0000')) {
    const path = nulPath(event.data, `events[${index}].data`) ?? nulPath(metadata, `events[${index}].metadata`);
    if (path !== null) throw validationFailed('an event holds the character U+0000, which cannot be stored', [{ path, message: 'must not contain U+0000' }]);
  }
  const bytes = Buffer.byteLength(parts.head, 'utf8') + Buffer.byteLength(parts.tail, 'utf8') + ADDED_BYTES;
  if (bytes > maxEventBytes) {
    throw appError('EVENT_TOO_LARGE', `event ${index} is ${bytes} bytes; the limit is ${maxEventBytes}`, {
      extra: { index, bytes, limit: maxEventBytes },
    });
  }
  return { metadata, parts };
}
