/** The SQL of the adapter, identical on PostgreSQL and PGlite. int8 is cast so both drivers return numbers. */

export const NOTIFY_CHANNEL = 'gongguan_events';

/** Every statement here is constant text on tables and functions that are never dropped: prepared once per connection. */
export const PREPARED = { prepare: true } as const;

/** (tx, seq) as the 33-character position text; fixed-width hex sorts like the pair. */
const POSITION = `lpad(to_hex(tx::text::bigint), 16, '0') || '-' || lpad(to_hex(seq), 16, '0')`;

const ENVELOPE_COLUMNS = `id::text as id, stream, revision::float8 as revision, type, schema_version, data, metadata,
  prev_hash, hash, ${POSITION} as position`;

/** One append: see migrations/003_append_function.sql. */
export const APPEND = `select next_revision, last_position
from event_store.append($1, $2, $3, $4::uuid[], $5::text[], $6::int[], $7::json[], $8::text[], $9::text[], $10::text[], $11)`;

/** Several appends in one call and one transaction: see migrations/004_append_batch.sql. */
export const APPEND_BATCH = `select ordinal, outcome, next_revision, last_position
from event_store.append_batch($1::text[], $2::text[], $3::bigint[], $4::int[], $5::uuid[], $6::text[], $7::int[], $8::json[],
  $9::text[], $10::text[], $11::text[], $12)`;

/** Several appends, all or none: see migrations/005_append_multi.sql. */
export const APPEND_MULTI = `select ordinal, next_revision, last_position
from event_store.append_multi($1::text[], $2::text[], $3::bigint[], $4::int[], $5::uuid[], $6::text[], $7::int[], $8::json[],
  $9::text[], $10::text[], $11::text[], $12)`;

/** The last event of each of these streams: revision and position. */
export const STREAM_HEADS = `
select distinct on (stream) stream, revision::float8 as revision, ${POSITION} as position
from event_store.events where stream = any($1::text[]) order by stream, revision desc`;

export const STREAM_REVISION = `select revision::float8 as revision from event_store.events where stream = $1 order by revision desc limit 1`;

/** Where events with these ids already are: the idempotency and duplicate check. */
export const FIND_IDS = `
select id::text as id, stream, revision::float8 as revision, ${POSITION} as position
from event_store.events where id = any($1::uuid[])`;

export const STREAM_EXISTS = `select 1 as one from event_store.events where stream = $1 limit 1`;

export function readStreamStatement(options: { until: boolean; backwards: boolean; limit: boolean }): string {
  return `
select ${ENVELOPE_COLUMNS}
from event_store.events
where stream = $1 and revision >= $2 and revision <= $3${options.until ? ' and recorded_at <= $4::timestamptz' : ''}
order by revision ${options.backwards ? 'desc' : 'asc'}${options.limit ? ` limit $${options.until ? 5 : 4}` : ''}`;
}

/**
 * The read horizon: every event with tx below it is committed and visible to the next statement,
 * and no event with a tx below it can appear later. It is the lowest transaction still running
 * when this statement's snapshot was taken (xip), else the next transaction id (xmax) — except
 * transactions positively known to run in another database, which cannot write these tables.
 * `held` says whether committed events wait above the horizon (a reader should look again soon).
 */
export const READ_HORIZON = `
with snap as (select pg_current_snapshot() as s),
elsewhere as (
  select a.backend_xid::text::bigint as x32 from pg_stat_activity a
  where a.backend_xid is not null and a.datid is not null
    and a.datid <> (select oid from pg_database where datname = current_database())
  union all
  select p.transaction::text::bigint from pg_prepared_xacts p where p.database <> current_database()
), horizon as (
  select coalesce(
    (select min(x) from snap, pg_snapshot_xip(snap.s) as x
      where (x::text::bigint % 4294967296) not in (select x32 from elsewhere)),
    (select pg_snapshot_xmax(snap.s) from snap)) as h
)
select h::text as horizon, coalesce((select max(tx) from event_store.events) >= h, false) as held from horizon`;

export function readAllStatement(options: { prefixes: boolean; types: boolean }): string {
  let n = 4;
  const prefixes = options.prefixes ? ` and stream like any($${++n}::text[])` : '';
  const types = options.types ? ` and type = any($${++n}::text[])` : '';
  return `
select ${ENVELOPE_COLUMNS}
from event_store.events
where (tx, seq) > ($1::xid8, $2::bigint) and tx < $3::xid8${prefixes}${types}
order by tx, seq
limit $4`;
}

/** The last committed position, horizon or not. */
export const LAST_POSITION = `select ${POSITION} as position from event_store.events order by tx desc, seq desc limit 1`;

/** The last position below the horizon and after `after`: how far a (filtered) read has looked. */
export const LAST_BELOW_HORIZON = `
select ${POSITION} as position from event_store.events
where tx < $1::xid8 and (tx, seq) > ($2::xid8, $3::bigint)
order by tx desc, seq desc limit 1`;
