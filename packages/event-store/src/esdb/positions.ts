import type { Position as EsdbPosition, ReadPosition } from '@eventstore/db-client';
import { positionFromParts, positionParts, START_POSITION, type Position } from '../position.js';

/**
 * An EventStoreDB log position as the port's opaque position: `<commit>-<prepare>`, each as 16
 * lower-case hex digits. Fixed width makes string order equal to ESDB's own order of `$all`
 * (commit first, then prepare), which is the order reads and subscriptions deliver in.
 */
export function fromEsdbPosition(position: EsdbPosition): Position {
  return positionFromParts(position.commit, position.prepare);
}

/** The port's position as the client's read position; START_POSITION reads from the start. */
export function toEsdbPosition(position: Position): ReadPosition {
  if (position === START_POSITION) return 'start';
  const { major, minor } = positionParts(position);
  return { commit: major, prepare: minor };
}
