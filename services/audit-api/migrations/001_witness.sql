-- The audit service's copy of the log's leaves as it sealed them: row idx is the event at place idx
-- in store order, its id and its hash. A verifier compares the live store with it to name the first
-- event that is no longer what was sealed (a deleted, inserted or moved row). It is itself checked
-- against the signed tree heads, so editing it is detected too.
create schema if not exists audit;

create table audit.witness (
  idx bigint primary key check (idx >= 0),
  event_id uuid not null,
  stream text not null,
  revision bigint not null,
  hash text not null,
  position text not null collate "C"
);

create index witness_event_id on audit.witness (event_id);
