import type { AppendExpectedRevision, CurrentRevision } from '@eventstore/db-client';

/** An expected revision after `normaliseExpectedRevision`: exact revisions are numbers. */
export type PortExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number;

/** The port's expected revision as the client's: the same words, exact revisions as bigints. */
export function toEsdbExpectedRevision(expected: PortExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
    case 'any':
    case 'stream_exists':
      return expected;
    default:
      return BigInt(expected);
  }
}

/** The client's current revision (`'no_stream'` or a bigint) as the port's: a number, or undefined. */
export function fromEsdbRevision(revision: CurrentRevision | bigint): number | undefined {
  if (revision === 'no_stream') return undefined;
  const n = Number(revision);
  // ESDB reports a missing stream as -1 in some replies.
  return n < 0 ? undefined : n;
}

/**
 * Whether `expected` refuses a stream whose last revision is `actual` (undefined: no stream).
 * Checked before writing because the hash chain needs the exact revision anyway.
 */
export function expectationFails(expected: PortExpectedRevision, actual: number | undefined): boolean {
  switch (expected) {
    case 'any':
      return false;
    case 'no_stream':
      return actual !== undefined;
    case 'stream_exists':
      return actual === undefined;
    default:
      return actual !== expected;
  }
}
