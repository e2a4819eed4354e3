-- Bulk imports of a bureau's earlier records (src/import): one row per import (its id is the
-- SHA-256 of the bureau and the file's facts), one row per fact done. A rerun skips the facts
-- done; a run that stopped (a crash) is taken over once its lease has run out.
create table lifecycle.imports (
  import_id     text        primary key,
  bureau        text        not null,
  file_name     text        not null,
  requested_by  text        not null,
  status        text        not null check (status in ('validating', 'invalid', 'running', 'done', 'failed')),
  total         integer     not null,
  errors        text,
  lease_until   timestamptz not null,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  finished_at   timestamptz
);

create table lifecycle.import_facts (
  import_id   text    not null references lifecycle.imports (import_id),
  seq         integer not null,
  sheet       text    not null,
  line        integer not null,
  events      integer not null,
  position    text,
  primary key (import_id, seq)
);
