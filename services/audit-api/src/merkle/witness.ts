import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate, type Sql, type SqlExecutor } from '@gongguan/platform/db';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface WitnessRow {
  idx: number;
  eventId: string;
  stream: string;
  revision: number;
  hash: string;
  position: string;
}

export async function migrateAudit(sql: Sql): Promise<void> {
  await migrate(sql, 'audit-api', loadMigrations(MIGRATIONS_DIR));
}

interface RawRow {
  idx: string;
  event_id: string;
  stream: string;
  revision: string;
  hash: string;
  position: string;
}

const toRow = (r: RawRow): WitnessRow => ({
  idx: Number(r.idx),
  eventId: r.event_id,
  stream: r.stream,
  revision: Number(r.revision),
  hash: r.hash,
  position: r.position,
});

// Qualified: ordering by the bare name would sort the text alias ("10" < "2").
const COLUMNS = `w.idx::text as idx, w.event_id::text as event_id, w.stream, w.revision::text as revision, w.hash, w.position`;

/** Rows [from, from + limit) of the witness, in order. */
export async function readWitness(sql: SqlExecutor, from: number, limit: number): Promise<WitnessRow[]> {
  const { rows } = await sql.query<RawRow>(`select ${COLUMNS} from audit.witness w where w.idx >= $1 order by w.idx limit $2`, [from, limit]);
  return rows.map(toRow);
}

export async function witnessSize(sql: SqlExecutor): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(`select coalesce(max(idx) + 1, 0)::text as n from audit.witness`);
  return Number(rows[0]?.n ?? 0);
}

export async function findWitnessByEventId(sql: SqlExecutor, eventId: string): Promise<WitnessRow | undefined> {
  const { rows } = await sql.query<RawRow>(`select ${COLUMNS} from audit.witness w where w.event_id = $1 order by w.idx limit 1`, [eventId]);
  return rows[0] === undefined ? undefined : toRow(rows[0]);
}

/** Appends rows; a row another process already wrote for the same place is left as it is. */
export async function appendWitness(sql: SqlExecutor, rows: readonly WitnessRow[]): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `insert into audit.witness (idx, event_id, stream, revision, hash, position)
     select * from unnest($1::bigint[], $2::uuid[], $3::text[], $4::bigint[], $5::text[], $6::text[])
     on conflict (idx) do nothing`,
    [
      rows.map((r) => r.idx),
      rows.map((r) => r.eventId),
      rows.map((r) => r.stream),
      rows.map((r) => r.revision),
      rows.map((r) => r.hash),
      rows.map((r) => r.position),
    ],
  );
}

/** Each stream's last revision and hash among places 0 … treeSize − 1 of the witness. */
export async function streamHeadsFromWitness(sql: SqlExecutor, treeSize: number): Promise<Array<{ stream: string; revision: number; hash: string }>> {
  const { rows } = await sql.query<{ stream: string; revision: string; hash: string }>(
    `select distinct on (w.stream) w.stream, w.revision::text as revision, w.hash
       from audit.witness w where w.idx < $1 order by w.stream, w.revision desc`,
    [treeSize],
  );
  return rows.map((r) => ({ stream: r.stream, revision: Number(r.revision), hash: r.hash }));
}
