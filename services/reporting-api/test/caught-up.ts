import type { EventStore } from '@gongguan/event-store';
import type { SqlExecutor } from '@gongguan/platform/db';

/** Waits until every projection's checkpoint has reached the store's head (about 30 s at most). */
export async function caughtUp(sql: SqlExecutor, store: EventStore): Promise<void> {
  const head = await store.headPosition();
  for (let i = 0; i < 1500; i++) {
    const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from projector.projections where position < $1`, [head]);
    if (rows[0]?.n === 0) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('projector did not catch up');
}
