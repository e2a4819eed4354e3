import type { SqlExecutor } from '@gongguan/platform/db';

/** Places in the sealed order of many events at once (events not yet sealed are absent). */
export async function witnessIndices(sql: SqlExecutor, eventIds: readonly string[]): Promise<Map<string, number>> {
  if (eventIds.length === 0) return new Map();
  const { rows } = await sql.query<{ event_id: string; idx: string }>(
    `select event_id::text as event_id, min(idx)::text as idx from audit.witness where event_id = any($1::uuid[]) group by event_id`,
    [eventIds],
  );
  return new Map(rows.map((r) => [r.event_id, Number(r.idx)]));
}
