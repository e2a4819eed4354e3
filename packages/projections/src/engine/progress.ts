import type { Logger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';

/**
 * The channel on which the projector announces each committed batch (and a rebuild each swap),
 * so that readers waiting for `?minPosition=` look again when something changed instead of
 * polling. The payload is the position the batch reached; listeners must not rely on it (a
 * notification may be lost: readers still look again now and then).
 */
export const PROGRESS_CHANNEL = 'gongguan_projections';

/** Sends one announcement after a commit; a failure only costs waiting readers a poll interval. */
export async function announceProgress(sql: Sql, position: string, logger: Logger): Promise<void> {
  try {
    // A NOTIFY is a transaction of its own; it is only a wake-up, so it need not wait for the WAL flush.
    await sql.query(`select set_config('synchronous_commit', 'off', true), pg_notify($1, $2)`, [PROGRESS_CHANNEL, position]);
  } catch (err) {
    logger.warn({ err }, 'could not announce projector progress; waiting readers will poll');
  }
}
