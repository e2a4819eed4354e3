import { jsonEvent, type EventData, type Position as EsdbPosition } from '@eventstore/db-client';
import { z } from 'zod';
import { isJsonObject } from '../canonical-json.js';
import type { EventMetadata, RecordedEvent } from '../event-store.js';
import type { ChainedEnvelope } from './chain.js';
import { fromEsdbPosition } from './positions.js';
import { recordedMetadataSchema } from '../validation.js';

const HASH = /^[0-9a-f]{64}$/;

/**
 * The custom metadata of a Gongguan event in EventStoreDB: the port's metadata plus what ESDB has
 * no field for (schemaVersion, prevHash, hash). `$correlationId`/`$causationId` are ESDB's own
 * conventions (its `$by_correlation_id` projection reads them); they are not part of the envelope.
 */
const storedMetadata = recordedMetadataSchema.extend({
  schemaVersion: z.number().int().min(1),
  prevHash: z.string().regex(HASH),
  hash: z.string().regex(HASH),
});

/** The fields of the client's recorded event this adapter reads. */
export interface EsdbRecord {
  streamId: string;
  id: string;
  revision: bigint;
  type: string;
  isJson: boolean;
  data: unknown;
  metadata: unknown;
  position?: EsdbPosition | undefined;
}

/** An envelope as the client's event data: JSON data, the rest in custom metadata. */
export function toEsdbEventData(envelope: ChainedEnvelope): EventData {
  const metadata: Record<string, unknown> = {
    ...envelope.metadata,
    schemaVersion: envelope.schemaVersion,
    prevHash: envelope.prevHash,
    hash: envelope.hash,
    $correlationId: envelope.metadata.correlationId,
  };
  if (envelope.metadata.causationId !== null) metadata.$causationId = envelope.metadata.causationId;
  return jsonEvent({ id: envelope.id, type: envelope.type, data: { ...envelope.data }, metadata });
}

/** Why a stored record is not a Gongguan envelope (it was written by something else). */
export class ForeignEventError extends Error {
  constructor(record: Pick<EsdbRecord, 'streamId' | 'id'>, why: string) {
    super(`event ${record.id} in ${record.streamId} is not a Gongguan envelope: ${why}`);
    this.name = 'ForeignEventError';
  }
}

/**
 * A recorded event read back from EventStoreDB as the port's envelope, validated (zod) so a
 * foreign or damaged record is refused rather than passed on. Needs the event's position, which
 * servers before 22.6 do not send on stream reads.
 */
export function fromEsdbEvent(record: EsdbRecord): RecordedEvent {
  if (!record.isJson || !isJsonObject(record.data)) throw new ForeignEventError(record, 'data is not a JSON object');
  const parsed = storedMetadata.safeParse(record.metadata);
  if (!parsed.success) throw new ForeignEventError(record, `metadata: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  if (!record.position) throw new ForeignEventError(record, 'the server sent no position (EventStoreDB 22.6 or later is required)');
  const m = parsed.data;
  const metadata: EventMetadata = {
    actorId: m.actorId,
    actorRole: m.actorRole,
    correlationId: m.correlationId,
    causationId: m.causationId,
    recordedAt: m.recordedAt,
  };
  if (m.effectiveDate !== undefined) metadata.effectiveDate = m.effectiveDate;
  if (m.reason !== undefined) metadata.reason = m.reason;
  if (m.backRecorded !== undefined) metadata.backRecorded = { by: m.backRecorded.by, role: m.backRecorded.role };
  return {
    id: record.id.toLowerCase(),
    stream: record.streamId,
    revision: Number(record.revision),
    position: fromEsdbPosition(record.position),
    type: record.type,
    schemaVersion: m.schemaVersion,
    data: record.data,
    metadata,
    prevHash: m.prevHash,
    hash: m.hash,
  };
}
