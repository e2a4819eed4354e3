import type { Sql } from '@gongguan/platform/db';
import type { StoreLogger } from '../logger.js';
import { NOTIFY_CHANNEL } from './statements.js';

/**
 * Tells other processes that events were appended. A NOTIFY is a transaction of its own (on
 * PostgreSQL it takes a cluster-wide lock at commit), so one per append would cost as much as the
 * append: pokes are coalesced, at most one NOTIFY in flight and at most one per `minGapMs`.
 * It commits asynchronously: it is only a wake-up (subscribers also poll), so it need not wait
 * for the WAL flush.
 */
export function createNotifier(sql: Sql, logger: StoreLogger, minGapMs = 10): { poke(): void; drain(): Promise<void> } {
  let inFlight: Promise<void> | undefined;
  let wanted = false;
  let lastSent = 0;

  function send(): void {
    wanted = false;
    const wait = Math.max(0, lastSent + minGapMs - Date.now());
    inFlight = new Promise<void>((resolve) => setTimeout(resolve, wait))
      .then(() => {
        lastSent = Date.now();
        return sql.query(`select set_config('synchronous_commit', 'off', true), pg_notify('${NOTIFY_CHANNEL}', '')`);
      })
      .then(
        () => undefined,
        (err: unknown) => logger.warn({ err }, 'NOTIFY failed; subscribers will poll'),
      )
      .finally(() => {
        inFlight = undefined;
        if (wanted) send();
      });
  }

  return {
    poke() {
      if (inFlight) wanted = true;
      else send();
    },
    async drain() {
      while (inFlight) await inFlight;
    },
  };
}
