import { appError } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';

/**
 * Read your own writes: waits until every projection in `names` has applied events up to
 * `minPosition` (the position a command answered with), polling the projector's checkpoints,
 * for at most `maxWaitMs`; then answers 503 with Retry-After.
 */
export async function waitForPosition(sql: SqlExecutor, names: readonly string[], minPosition: string, maxWaitMs: number): Promise<void> {
  const deadline = Date.now() + maxWaitMs;
  let delay = 10;
  for (;;) {
    const { rows } = await sql.query<{ name: string; position: string; status: string }>(
      'select name, position, status from projector.projections where name = any($1::text[])',
      [names],
    );
    const behind = rows.filter((r) => r.position < minPosition);
    if (behind.length === 0 && rows.length === names.length) return;
    if (Date.now() + delay > deadline) {
      throw appError('NOT_READY', `the projections ${behind.map((r) => `${r.name} (at ${r.position}, ${r.status})`).join(', ')} have not reached position ${minPosition} yet`, {
        extra: { minPosition, projections: rows },
        headers: { 'retry-after': '1' },
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 100);
  }
}
