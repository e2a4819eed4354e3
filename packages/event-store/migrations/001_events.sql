-- The event log. Rows are only ever inserted (see 002_append_only.sql).
create schema if not exists event_store;

create table event_store.events (
  -- Global order is (tx, seq): the writing transaction's id, then a sequence within it.
  -- Readers only read rows whose tx is below every transaction still in progress, so a
  -- transaction that commits late can never land behind a position already read.
  tx xid8 not null default pg_current_xact_id(),
  seq bigint generated always as identity,
  id uuid not null,
  stream text not null,
  revision bigint not null check (revision >= 0),
  type text not null,
  schema_version integer not null check (schema_version >= 1),
  -- json, not jsonb: the text is kept as written, so what is read back hashes to what was hashed.
  data json not null,
  -- Includes recordedAt as the exact string that was hashed.
  metadata json not null,
  recorded_at timestamptz not null,
  prev_hash text not null,
  hash text not null,
  constraint events_pkey primary key (tx, seq),
  constraint events_id_key unique (id),
  -- The optimistic-concurrency guard: two appends racing for one revision cannot both commit.
  constraint events_stream_revision_key unique (stream, revision)
);
