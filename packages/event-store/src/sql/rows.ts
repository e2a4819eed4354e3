import { isJsonObject } from '../canonical-json.js';
import type { EventMetadata, RecordedEvent } from '../event-store.js';
import type { Position } from '../position.js';

/** A row as READ statements return it (both drivers parse json columns). */
export interface EventRow {
  id: string;
  stream: string;
  revision: number;
  type: string;
  schema_version: number;
  data: unknown;
  metadata: unknown;
  prev_hash: string;
  hash: string;
  position: string;
}

/** Positions made by our own SQL are well formed by construction; checking each row would cost reads. */
export function trustedPosition(text: string): Position {
  return text as Position;
}

function metadataOf(value: unknown, id: string): EventMetadata {
  if (
    !isJsonObject(value) ||
    typeof value.actorId !== 'string' ||
    typeof value.actorRole !== 'string' ||
    typeof value.correlationId !== 'string' ||
    typeof value.recordedAt !== 'string' ||
    !(value.causationId === null || typeof value.causationId === 'string')
  ) {
    throw new Error(`stored metadata of event ${id} is malformed`);
  }
  const metadata: EventMetadata = {
    actorId: value.actorId,
    actorRole: value.actorRole,
    correlationId: value.correlationId,
    causationId: value.causationId,
    recordedAt: value.recordedAt,
  };
  if (typeof value.effectiveDate === 'string') metadata.effectiveDate = value.effectiveDate;
  if (typeof value.reason === 'string') metadata.reason = value.reason;
  const back = value.backRecorded;
  if (isJsonObject(back) && typeof back.by === 'string' && typeof back.role === 'string') metadata.backRecorded = { by: back.by, role: back.role };
  return metadata;
}

export function toRecordedEvent(row: EventRow): RecordedEvent {
  if (!isJsonObject(row.data)) throw new Error(`stored data of event ${row.id} is not a JSON object`);
  return {
    id: row.id,
    stream: row.stream,
    revision: row.revision,
    position: trustedPosition(row.position),
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: metadataOf(row.metadata, row.id),
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}
