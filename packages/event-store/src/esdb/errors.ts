import { ErrorType, type WrongExpectedVersionError } from '@eventstore/db-client';
import { appError, isAppError } from '@gongguan/platform/errors';
import { concurrencyError, streamNotFound } from '../errors.js';
import type { ExpectedRevision } from '../event-store.js';
import { fromEsdbRevision } from './revisions.js';

/** The client's errors carry a string `type` (its `ErrorType`); checked by value, not by class. */
function typeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'type' in err && typeof err.type === 'string' ? err.type : undefined;
}

export function isWrongExpectedVersion(err: unknown): err is WrongExpectedVersionError {
  return typeOf(err) === ErrorType.WRONG_EXPECTED_VERSION;
}

const TRANSIENT = new Set<string>([
  ErrorType.UNAVAILABLE,
  ErrorType.NOT_LEADER,
  ErrorType.DEADLINE_EXCEEDED,
  ErrorType.TIMEOUT,
  ErrorType.CANCELLED,
  ErrorType.UNKNOWN,
]);

/**
 * Errors after which the same request may succeed against the cluster a moment later: a node
 * went away, a leader election, a deadline, a server-side cancel. A subscription reconnects on
 * these; anything else (access denied, bad argument) ends it.
 */
export function isTransient(err: unknown): boolean {
  if (isAppError(err)) return err.code === 'STORAGE_UNAVAILABLE' && isTransient(err.cause);
  const type = typeOf(err);
  if (type !== undefined) return TRANSIENT.has(type);
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  // Raw gRPC statuses (UNAVAILABLE 14, DEADLINE_EXCEEDED 4, CANCELLED 1) and a stream cut mid-read.
  return code === 14 || code === 4 || code === 1 || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET';
}

/** The revision a WrongExpectedVersionError says the stream is at (undefined: no stream). */
export function actualRevisionOf(err: WrongExpectedVersionError): number | undefined {
  return fromEsdbRevision(err.actualVersion);
}

/**
 * A client error as the port's coded error: a wrong expected version is a ConcurrencyError with
 * the actual revision; a missing or deleted stream is STREAM_NOT_FOUND; an append over the
 * server's MaxAppendSize is EVENT_TOO_LARGE; an unreachable cluster is STORAGE_UNAVAILABLE.
 * Anything else is returned as it is.
 */
export function toPortError(err: unknown, context: { stream?: string; expected?: ExpectedRevision }): unknown {
  const stream = context.stream ?? '';
  switch (typeOf(err)) {
    case ErrorType.WRONG_EXPECTED_VERSION: {
      const wrong = err as WrongExpectedVersionError;
      const expected = context.expected ?? wrong.expectedVersion;
      return concurrencyError(stream || wrong.streamName, expected, actualRevisionOf(wrong));
    }
    case ErrorType.STREAM_NOT_FOUND:
    case ErrorType.STREAM_DELETED:
      return streamNotFound(stream);
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED: {
      const limit = typeof err === 'object' && err !== null && 'maxAppendSize' in err ? err.maxAppendSize : undefined;
      return appError('EVENT_TOO_LARGE', `the append is larger than the server's MaxAppendSize (${String(limit)} bytes)`, {
        extra: { limit },
        cause: err,
      });
    }
    case ErrorType.ACCESS_DENIED:
      return appError('STORAGE_UNAVAILABLE', 'EventStoreDB refused access: check the credentials in EVENTSTORE_URL', { cause: err });
    default:
      if (isTransient(err)) return appError('STORAGE_UNAVAILABLE', 'EventStoreDB is unreachable', { cause: err });
      return err;
  }
}
