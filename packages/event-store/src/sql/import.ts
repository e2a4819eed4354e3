import type { Sql, SqlExecutor } from '@gongguan/platform/db';
import type { RecordedEvent } from '../event-store.js';
import { comparePresent, planImport, runsByStream, type EventImporter, type ImportHead } from '../esdb/import-plan.js';
import { assertStreamName } from '../validation.js';
import { toRecordedEvent, type EventRow } from './rows.js';
import { readStreamStatement } from './statements.js';

const HEAD = `select revision::float8 as revision, hash from event_store.events where stream = $1 order by revision desc limit 1`;

/**
 * Inserts envelopes as they are: recordedAt (also into `recorded_at`, for "as of" reads),
 * prevHash and hash are the source's, not recomputed. A plain INSERT: the append-only triggers
 * still refuse any UPDATE or DELETE, and the unique (stream, revision) and id indexes still hold.
 */
const INSERT = `
insert into event_store.events (id, stream, revision, type, schema_version, data, metadata, recorded_at, prev_hash, hash)
select u.id, $1, u.revision, u.type, u.schema_version, u.data, u.metadata, u.recorded_at::timestamptz, u.prev_hash, u.hash
from unnest($2::uuid[], $3::bigint[], $4::text[], $5::int[], $6::json[], $7::json[], $8::text[], $9::text[], $10::text[])
  with ordinality as u(id, revision, type, schema_version, data, metadata, recorded_at, prev_hash, hash, n)
order by u.n`;

const LAST = `
select id::text as id, stream, revision::float8 as revision, type, schema_version, data, metadata, prev_hash, hash,
  lpad(to_hex(tx::text::bigint), 16, '0') || '-' || lpad(to_hex(seq), 16, '0') as position
from event_store.events order by tx desc, seq desc limit 1`;

async function readHeadIn(tx: SqlExecutor, stream: string): Promise<ImportHead | undefined> {
  const { rows } = await tx.query<ImportHead>(HEAD, [stream]);
  return rows[0];
}

async function insertRun(tx: SqlExecutor, stream: string, events: readonly RecordedEvent[]): Promise<void> {
  await tx.query(INSERT, [
    stream,
    events.map((e) => e.id),
    events.map((e) => e.revision),
    events.map((e) => e.type),
    events.map((e) => e.schemaVersion),
    events.map((e) => JSON.stringify(e.data)),
    events.map((e) => JSON.stringify(e.metadata)),
    events.map((e) => e.metadata.recordedAt),
    events.map((e) => e.prevHash),
    events.map((e) => e.hash),
  ]);
}

/**
 * Receives a copied history into the SQL store (PostgreSQL or PGlite): each `importEvents` call is
 * one transaction, so a crash leaves whole batches; the source's global order is kept (within a
 * transaction `seq` follows insertion order). Use it while nothing else writes to the store.
 */
export function createSqlImporter(sql: Sql): EventImporter {
  const heads = new Map<string, ImportHead | undefined>();
  return {
    async importEvents(events) {
      const seen = new Map<string, ImportHead | undefined>();
      const result = await sql.transaction(async (tx) => {
        let written = 0;
        let skipped = 0;
        for (const run of runsByStream(events)) {
          const stream = run[0]?.stream ?? '';
          assertStreamName(stream);
          const head = seen.has(stream) ? seen.get(stream) : heads.has(stream) ? heads.get(stream) : await readHeadIn(tx, stream);
          const { present, missing } = planImport(run, head);
          if (present.length > 0) {
            const from = present[0]?.revision ?? 0;
            const { rows } = await tx.query<EventRow>(readStreamStatement({ until: false, backwards: false, limit: false }), [stream, from, from + present.length - 1]);
            comparePresent(present, new Map(rows.map((r) => [r.revision, r])));
            skipped += present.length;
          }
          if (missing.length > 0) await insertRun(tx, stream, missing);
          written += missing.length;
          const last = run[run.length - 1];
          seen.set(stream, last && (!head || last.revision > head.revision) ? { revision: last.revision, hash: last.hash } : head);
        }
        return { written, skipped };
      });
      // Only once committed: a rolled-back batch must not leave heads that were never written.
      for (const [stream, head] of seen) heads.set(stream, head);
      return result;
    },
    async lastStoredEvent() {
      const { rows } = await sql.query<EventRow>(LAST);
      const row = rows[0];
      return row ? toRecordedEvent(row) : undefined;
    },
  };
}
