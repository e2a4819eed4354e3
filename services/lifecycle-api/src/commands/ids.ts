import { createHash, randomUUID } from 'node:crypto';

/** Namespace of Gongguan's name-based (RFC 9562 version 5) event ids. */
const NAMESPACE = Buffer.from('6f1c2a4e9b3d4c5e8a7f0b1c2d3e4f50', 'hex');

/**
 * A UUID derived from a name: the same name always gives the same id. Event ids derived from an
 * idempotency key (or from the event that triggered a process step) make a retried append a no-op
 * in the store instead of a second copy.
 */
export function nameBasedUuid(name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Where ids and time come from: injected, so tests (and replays) are deterministic. */
export interface Environment {
  now(): Date;
  newId(): string;
}

export const systemEnvironment: Environment = { now: () => new Date(), newId: randomUUID };
