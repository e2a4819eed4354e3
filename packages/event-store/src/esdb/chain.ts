import type { EventMetadata, EventToAppend, RecordedEvent } from '../event-store.js';
import { computeEventHash, GENESIS_HASH, type HashedEnvelope } from '../hash-chain.js';
import { prepareEvent } from '../prepare-event.js';
import type { Position } from '../position.js';

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


/**
 * Checks each validated event has a canonical form and fits `maxEventBytes` (the canonical
 * envelope, as hashed), before anything is sent: VALIDATION_FAILED names the bad value's path,
 * EVENT_TOO_LARGE the event's index.
 */
export function draftEvents(stream: string, events: readonly EventToAppend[], maxEventBytes: number): DraftEvent[] {
  return events.map((event, i) => {
    const { metadata } = prepareEvent(stream, event, i, maxEventBytes);
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
