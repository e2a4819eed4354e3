-- Where each background process (e.g. the R2 assessment re-driver) has read the event store to.
create table lifecycle.process_checkpoints (
  process     text        primary key,
  position    text        not null,
  updated_at  timestamptz not null default now()
);
