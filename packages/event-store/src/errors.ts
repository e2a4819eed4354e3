import { appError, isAppError, type AppError } from '@gongguan/platform/errors';
import type { ExpectedRevision } from './event-store.js';

/** What a CONCURRENCY_CONFLICT carries in `extra`, and so in the problem document. */
export interface ConcurrencyConflict {
  stream: string;
  /** As given, bigints as numbers: `'no_stream'`, `'stream_exists'`, `'any'` or a revision. */
  expectedRevision: 'no_stream' | 'any' | 'stream_exists' | number;
  /** Revision of the stream's last event when the append was refused, or `'no_stream'`. */
  actualRevision: number | 'no_stream';
}

export type ConcurrencyError = AppError & { code: 'CONCURRENCY_CONFLICT'; extra: ConcurrencyConflict };

export function concurrencyError(stream: string, expected: ExpectedRevision, actual: number | undefined): ConcurrencyError {
  const extra: ConcurrencyConflict = {
    stream,
    expectedRevision: typeof expected === 'bigint' ? Number(expected) : expected,
    actualRevision: actual ?? 'no_stream',
  };
  const err = appError(
    'CONCURRENCY_CONFLICT',
    `stream ${stream} is at ${String(extra.actualRevision)}, expected ${String(extra.expectedRevision)}`,
    { extra: { ...extra } },
  );
  return err as ConcurrencyError;
}

/** True for the error a stale `expectedRevision` produces; `err.extra` then holds the revisions. */
export function isConcurrencyError(err: unknown): err is ConcurrencyError {
  return isAppError(err) && err.code === 'CONCURRENCY_CONFLICT';
}

export function streamNotFound(stream: string): AppError {
  return appError('STREAM_NOT_FOUND', `stream ${stream} has no events`, { extra: { stream } });
}

export function duplicateEventId(stream: string, ids: readonly string[]): AppError {
  return appError('DUPLICATE_EVENT_ID', `event id ${ids.join(', ')} already stored at another place`, {
    extra: { stream, eventIds: [...ids] },
  });
}
