import { appError } from '@gongguan/platform/errors';

declare const positionBrand: unique symbol;

/**
 * A place in the global log, opaque to callers: `<16 hex digits>-<16 hex digits>`, lower case.
 *
 * The only operations callers may rely on are equality and order: positions compare as plain
 * strings (byte order, `<` or {@link comparePositions}), and that order is the order in which
 * `readAll`/`subscribe` deliver events. So a position can be stored as `text` and compared in SQL
 * with `collate "C"` as well. The SQL adapter encodes (transaction id, sequence); an EventStoreDB
 * adapter encodes (commit, prepare). Never parse the parts outside an adapter.
 */
export type Position = string & { readonly [positionBrand]: true };

const FORMAT = /^[0-9a-f]{16}-[0-9a-f]{16}$/;
const MAX_PART = (1n << 64n) - 1n;

/** Before every event: reading after it reads from the beginning. */
export const START_POSITION = positionFromParts(0n, 0n);

export function isPosition(text: unknown): text is Position {
  return typeof text === 'string' && FORMAT.test(text);
}

/** Validates a position read back from text (a checkpoint table, a query string). */
export function parsePosition(text: string): Position {
  if (!isPosition(text)) throw appError('VALIDATION_FAILED', `not an event-store position: ${JSON.stringify(text)}`);
  return text;
}

export function positionToString(position: Position): string {
  return position;
}

/** -1, 0 or 1: the delivery order of two positions. */
export function comparePositions(a: Position, b: Position): -1 | 0 | 1 {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** For adapters: builds a position from its two unsigned 64-bit parts. */
export function positionFromParts(major: bigint, minor: bigint): Position {
  if (major < 0n || minor < 0n || major > MAX_PART || minor > MAX_PART) {
    throw new RangeError('position parts must be unsigned 64-bit integers');
  }
  return `${major.toString(16).padStart(16, '0')}-${minor.toString(16).padStart(16, '0')}` as Position;
}

/** For adapters: the two parts of a position. */
export function positionParts(position: Position): { major: bigint; minor: bigint } {
  return { major: BigInt(`0x${position.slice(0, 16)}`), minor: BigInt(`0x${position.slice(17)}`) };
}
