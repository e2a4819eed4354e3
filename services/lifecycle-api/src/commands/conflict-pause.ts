import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The pause before deciding again after another writer moved a stream: a random time up to
 * 2^attempt ms (at most 64 ms), so that writers racing for one stream (officers submitting to one
 * programme on the last day of its solicitation) spread out instead of colliding again in the
 * same group commit. Retried at once, sixteen such writers lost to each other so often that
 * some ran out of attempts: one append per commit wins, and (15/16)^25 ≈ 0.2.
 */
export function conflictPause(attempt: number, random: () => number = Math.random): Promise<void> {
  const ceiling = Math.min(64, 2 ** Math.min(attempt, 6));
  return sleep(Math.floor(random() * ceiling));
}
