import { isEventType, parseEvent, type DomainEvent } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';

/** A stored event read back for projecting: parsed (upcast and validated), or why it could not be. */
export type ParsedEnvelope =
  | { envelope: RecordedEvent; event: DomainEvent; problem?: undefined }
  | { envelope: RecordedEvent; event?: undefined; problem: { message: string; unknownType: boolean } };

/** Parses every event once per batch; every projection of the batch shares the result. */
export function parseEnvelope(envelope: RecordedEvent): ParsedEnvelope {
  try {
    return { envelope, event: parseEvent({ type: envelope.type, schemaVersion: envelope.schemaVersion, data: envelope.data }) };
  } catch (err) {
    return {
      envelope,
      problem: { message: err instanceof Error ? err.message : String(err), unknownType: !isEventType(envelope.type) },
    };
  }
}

/** How a stopped projection names the event it stopped at (logs, `/readyz`, the status endpoint). */
export interface EventFailure {
  eventId: string;
  stream: string;
  revision: number;
  type: string;
  position: string;
  message: string;
}

export function describeFailure(envelope: RecordedEvent, message: string): EventFailure {
  return {
    eventId: envelope.id,
    stream: envelope.stream,
    revision: envelope.revision,
    type: envelope.type,
    position: envelope.position,
    message: message.length > 1000 ? `${message.slice(0, 1000)}…` : message,
  };
}

export function failureText(projection: string, f: EventFailure): string {
  return `projection ${projection} stopped at event ${f.eventId} (${f.type}, stream ${f.stream} revision ${f.revision}, position ${f.position}): ${f.message}`;
}
