import { appError } from '@gongguan/platform/errors';
import { CanonicalJsonError } from '../canonical-json.js';
import type { EventMetadata, EventToAppend, RecordedEvent } from '../event-store.js';
import { computeEventHash, eventHashParts, GENESIS_HASH, type HashedEnvelope } from '../hash-chain.js';
import type { Position } from '../position.js';
import { validationFailed } from '../validation.js';

/** What an append needs to know of a stream's last event. */
export interface StreamHead {
  revision: number;
  hash: string;
  recordedAt: string;
  position: Position;
}

/** An event ready to be chained: validated, metadata as stored but without recordedAt. */
export interface DraftEvent {
  id: string;
  type: string;
  schemaVersion: number;
  data: Readonly<Record<string, unknown>>;
  metadata: Omit<EventMetadata, 'recordedAt'>;
}

export type ChainedEnvelope = HashedEnvelope & { hash: string };

/** Room for recordedAt, prevHash and revision, as the SQL adapter counts it: the same limit on both. */
const ADDED_BYTES = 27 + 16 + 64 + 16 + 20;

/**
 * Checks each validated event has a canonical form and fits `maxEventBytes` (the canonical
 * envelope, as hashed), before anything is sent: VALIDATION_FAILED names the bad value's path,
 * EVENT_TOO_LARGE the event's index.
 */
export function draftEvents(stream: string, events: readonly EventToAppend[], maxEventBytes: number): DraftEvent[] {
  return events.map((event, i) => {
    const metadata: Omit<EventMetadata, 'recordedAt'> = {
      actorId: event.metadata.actorId,
      actorRole: event.metadata.actorRole,
      correlationId: event.metadata.correlationId,
      causationId: event.metadata.causationId ?? null,
    };
    if (event.metadata.effectiveDate !== undefined) metadata.effectiveDate = event.metadata.effectiveDate;
    if (event.metadata.reason !== undefined) metadata.reason = event.metadata.reason;
    let parts: { head: string; tail: string };
    try {
      parts = eventHashParts({ id: event.id, stream, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata });
    } catch (err) {
      if (!(err instanceof CanonicalJsonError)) throw err;
      const path = err.path.replace(/^\$/, `events[${i}]`);
      throw validationFailed('an event is not valid JSON', [{ path, message: err.message.slice(err.path.length + 2) }]);
    }
    const bytes = Buffer.byteLength(parts.head, 'utf8') + Buffer.byteLength(parts.tail, 'utf8') + ADDED_BYTES;
    if (bytes > maxEventBytes) {
      throw appError('EVENT_TOO_LARGE', `event ${i} is ${bytes} bytes; the limit is ${maxEventBytes}`, {
        extra: { index: i, bytes, limit: maxEventBytes },
      });
    }
    return { id: event.id, type: event.type, schemaVersion: event.schemaVersion, data: event.data, metadata };
  });
}

/**
 * The envelopes an append writes after `head`: consecutive revisions, one recordedAt for the
 * batch (as the SQL adapter), each `prevHash` the previous `hash`, each hash computed exactly as
 * `computeEventHash` does for every adapter.
 */
export function chainEvents(stream: string, head: Pick<StreamHead, 'revision' | 'hash'> | undefined, drafts: readonly DraftEvent[], recordedAt: string): ChainedEnvelope[] {
  let prevHash = head?.hash ?? GENESIS_HASH;
  let revision = head?.revision ?? -1;
  return drafts.map((draft) => {
    revision++;
    const envelope: HashedEnvelope = {
      id: draft.id,
      stream,
      revision,
      type: draft.type,
      schemaVersion: draft.schemaVersion,
      data: draft.data,
      metadata: { ...draft.metadata, recordedAt },
      prevHash,
    };
    const hash = computeEventHash(envelope);
    prevHash = hash;
    return { ...envelope, hash };
  });
}

/** A recorded event without its position: what an import writes as it is. */
export function envelopeOf(event: RecordedEvent): ChainedEnvelope {
  const { position: _position, ...envelope } = event;
  return envelope;
}
