-- The roles of a Gongguan database, each with the least it needs. Run as a superuser, connected to
-- the Gongguan database, before the migrations (the postgres container does it on first start:
-- init/10-roles.sh, which then sets the login passwords). Idempotent. Nothing logs in as a superuser.
--
--   gongguan_owner      owns the database and every table the migrations create; only the one-shot
--                       `migrate` job (`pnpm migrate`) logs in as it.
--   gongguan_reader     (no login) reads: events, read models, reporting views, service tables.
--   gongguan_app        (no login) a reader that also writes: appends events (the event store's
--                       migration takes UPDATE, DELETE and TRUNCATE on them back), idempotency keys,
--                       process checkpoints, audit tables. Never DDL.
--   gongguan_lifecycle  lifecycle-api: logs in, a gongguan_app.
--   gongguan_audit      audit-api: logs in, a gongguan_app.
--   gongguan_projector  projector: logs in, a gongguan_app, and may create schemas: it builds each
--                       generation of the read models (proj_<name>_g<n>) and the reporting.* views.
--   gongguan_reporting  reporting-api: logs in, a gongguan_reader only.
do $$
declare
  spec text[];
begin
  foreach spec slice 1 in array array[
    ['gongguan_owner', 'login'], ['gongguan_reader', 'nologin'], ['gongguan_app', 'nologin'],
    ['gongguan_lifecycle', 'login'], ['gongguan_audit', 'login'], ['gongguan_projector', 'login'], ['gongguan_reporting', 'login'],
    -- Bureau scope (issue 18): reporting roles read through gongguan_bureau_reader; reporting-api reads as gongguan_scoped.
    ['gongguan_bureau_reader', 'nologin'], ['gongguan_scoped', 'nologin']
  ] loop
    if not exists (select 1 from pg_roles where rolname = spec[1]) then
      begin
        execute format('create role %I %s nosuperuser nocreatedb nocreaterole noreplication nobypassrls', spec[1], spec[2]);
      exception
        when duplicate_object or unique_violation then null; -- created meanwhile by another session
      end;
    end if;
  end loop;
end;
$$;

grant gongguan_reader to gongguan_app;
grant gongguan_app to gongguan_lifecycle, gongguan_audit, gongguan_projector;
grant gongguan_reader to gongguan_reporting;
grant gongguan_bureau_reader to gongguan_scoped;
-- reporting-api runs each read as gongguan_scoped (set local role), limited by row-level security to the caller's bureau.
grant gongguan_scoped to gongguan_reporting;

do $$
begin
  -- The owner of the database owns `public` too (pg_database_owner, PostgreSQL 15+), where the
  -- migration records live.
  execute format('alter database %I owner to gongguan_owner', current_database());
  execute format('grant connect on database %I to gongguan_reader', current_database());
  execute format('grant create on database %I to gongguan_projector', current_database());
end;
$$;
-- PostgreSQL before 15 lets everyone create in `public`.
revoke create on schema public from public;
grant usage on schema public to gongguan_reader;

-- What the migrations create (as gongguan_owner) and what the projector creates are usable by
-- the services from the moment it exists; no grant has to follow each migration.
alter default privileges for role gongguan_owner grant usage on schemas to gongguan_reader;
alter default privileges for role gongguan_owner grant select on tables to gongguan_reader;
alter default privileges for role gongguan_owner grant insert, update, delete on tables to gongguan_app;
alter default privileges for role gongguan_owner grant usage, select on sequences to gongguan_app;
alter default privileges for role gongguan_projector grant usage on schemas to gongguan_reader;
alter default privileges for role gongguan_projector grant select on tables to gongguan_reader;
