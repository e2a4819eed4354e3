-- The projector's own bookkeeping. Read-model tables live in one schema per projection and
-- generation (proj_<name>_g<generation>), created from code; readers use the reporting.* views.
create schema if not exists projector;
create schema if not exists reporting;

-- One row per projection: which generation readers see, and how far the live projector got.
create table projector.projections (
  name text primary key,
  generation integer not null,
  version integer not null,
  position text collate "C" not null,
  -- live: followed by the projector; failed: stopped at `error`; outdated: code has a newer version, a rebuild is due.
  status text not null check (status in ('live', 'failed', 'outdated')),
  error jsonb,
  events_applied bigint not null default 0,
  updated_at timestamptz not null default now()
);

-- Every generation ever built: the live one, retired ones, and rebuilds in progress (with progress).
create table projector.generations (
  name text not null,
  generation integer not null,
  version integer not null,
  schema_name text not null,
  state text not null check (state in ('building', 'live', 'retired', 'abandoned')),
  position text collate "C" not null,
  events bigint not null default 0,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  error text,
  primary key (name, generation)
);
