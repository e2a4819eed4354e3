-- Evidence files (issue 19), content-addressed: the bytes of each distinct file once, under the
-- lower-case hex SHA-256 of those bytes. Events (EvidenceAttached, DisbursementEvidenceAttached)
-- record the hash, so the hash chain seals the file; this table only holds the bytes. A row is
-- written before its event is appended: a row no event names is harmless, an event whose row is
-- missing never happens. Rows are never updated; the audit API reads them for bundles.
create schema if not exists lifecycle;

create table lifecycle.evidence_blobs (
  sha256     text        primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  bytes      bytea       not null,
  size       integer     not null check (size > 0 and size = octet_length(bytes)),
  media_type text        not null,
  created_at timestamptz not null default now()
);
