-- Stored events can never change: refused by triggers (which bind every role, owner and superuser
-- included, unless a superuser disables them) and by the privileges of the application role.
create function event_store.refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'event_store.events is append-only: % is refused', tg_op
    using hint = 'Stored events are immutable; append a correcting event instead.';
end;
$$;

create trigger events_no_update_or_delete
  before update or delete on event_store.events
  for each statement execute function event_store.refuse_change();

create trigger events_no_truncate
  before truncate on event_store.events
  for each statement execute function event_store.refuse_change();

-- The role services should run as (grant it to their login user). Creating it needs CREATEROLE;
-- where the migrating user lacks it, or on PGlite, the triggers above still hold.
do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'gongguan_app') then
    begin
      create role gongguan_app nologin;
    exception
      when duplicate_object or unique_violation then null; -- created by a concurrent migration
      when insufficient_privilege then
        raise notice 'role gongguan_app not created: %', sqlerrm;
    end;
  end if;
  if exists (select 1 from pg_roles where rolname = 'gongguan_app') then
    begin
      grant usage on schema event_store to gongguan_app;
      grant select, insert on event_store.events to gongguan_app;
      revoke update, delete, truncate, references, trigger on event_store.events from gongguan_app;
      execute format('grant usage on sequence %s to gongguan_app',
        pg_get_serial_sequence('event_store.events', 'seq'));
    exception
      when insufficient_privilege then
        raise notice 'privileges for gongguan_app not granted: %', sqlerrm;
    end;
  end if;
  revoke update, delete, truncate on event_store.events from public;
end;
$$;
