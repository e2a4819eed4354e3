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

/**
 * Why a projection stopped at an event: a type this code does not know, data that fails the
 * type's schema, a handler that threw, or the database refusing the rows it wrote.
 */
export type FailureKind = 'unknown-type' | 'malformed' | 'handler' | 'write';

/** How a stopped projection names the event it stopped at (logs, `/readyz`, the status endpoint). */
export interface EventFailure {
  eventId: string;
  stream: string;
  revision: number;
  type: string;
  position: string;
  kind: FailureKind;
  /** The error as thrown: for operators (logs, the projector's status); it may quote data or SQL. */
  message: string;
}

export function describeFailure(envelope: RecordedEvent, message: string, kind: FailureKind): EventFailure {
  return {
    eventId: envelope.id,
    stream: envelope.stream,
    revision: envelope.revision,
    type: envelope.type,
    position: envelope.position,
    kind,
    message: message.length > 1000 ? `${message.slice(0, 1000)}…` : message,
  };
}

/**
 * What readers of a stopped projection are told: a fixed sentence per kind that quotes nothing
 * from the event or the error (no data, no SQL), only the event's type when it is unknown.
 */
export function failureSummary(kind: FailureKind | undefined, type: string): string {
  switch (kind) {
    case 'unknown-type':
      return `the event type ${type} is unknown to this version of the projector`;
    case 'malformed':
      return `a ${type} event does not match its schema`;
    case 'handler':
      return `the projection could not apply a ${type} event`;
    case 'write':
      return `the database refused the rows of a batch that starts with a ${type} event`;
    case undefined:
      return `the projection stopped at a ${type} event`;
    default: {
      const never: never = kind;
      return never;
    }
  }
}

export function failureText(projection: string, f: EventFailure): string {
  return `projection ${projection} stopped at event ${f.eventId} (${f.type}, stream ${f.stream} revision ${f.revision}, position ${f.position}): ${f.message}`;
}
