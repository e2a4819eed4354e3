-- Row-level security by bureau (issue 18). Every read-model table with a bureau path has a policy
-- (created with each generation's tables, see scopeDdl in src/table.ts): a reader sees a row when
-- its path is within reporting.scope_of(current_user, the session's gongguan.bureau_path), which is
--   * for the service role gongguan_scoped (the reporting API, `set local role gongguan_scoped`),
--     the session's `gongguan.bureau_path` (none set: no rows);
--   * for a reporting role mapped in reporting.role_bureaus, the path of its bureau; the setting is
--     ignored, so such a role cannot widen its scope (and it is no member of gongguan_scoped);
--   * for anyone else, nothing.
-- Table owners (the projector, the services' own connection) bypass row-level security.
-- Roles belong to the cluster, not to the database: created once, whichever database comes first.

-- infra/postgres/roles.sql creates them for a least-privilege deployment (whose migrating role may
-- not create roles); a role that may creates them here.
do $$
declare r text;
begin
  foreach r in array array['gongguan_bureau_reader', 'gongguan_scoped'] loop
    if not exists (select from pg_roles where rolname = r) then
      begin
        execute format('create role %I nologin', r);
      exception when duplicate_object or unique_violation then null;
      when insufficient_privilege then
        raise exception 'role % is missing and % may not create it: run infra/postgres/roles.sql first', r, current_user;
      end;
    end if;
  end loop;
  begin
    grant gongguan_bureau_reader to gongguan_scoped;
  exception when others then raise notice 'grant gongguan_bureau_reader to gongguan_scoped: %', sqlerrm;
  end;
  -- The services' own role sets `role gongguan_scoped` for each reporting read.
  if not (select rolsuper from pg_roles where rolname = current_user) and not pg_has_role(current_user, 'gongguan_scoped', 'member') then
    begin
      execute format('grant gongguan_scoped to %I', current_user);
    exception when others then raise notice 'grant gongguan_scoped to %: % (roles.sql grants it to the reporting API''s role)', current_user, sqlerrm;
    end;
  end if;
end $$;

grant usage on schema reporting to gongguan_bureau_reader;

-- Which bureau each reporting role reads: written by reporting.create_bureau_role.
create table reporting.role_bureaus (
  role_name text primary key,
  bureau_code text not null check (bureau_code ~ '^[1-9][0-9]{5}$')
);

-- The path of a code from the code alone (province, province.city, province.city.county).
create or replace function reporting.derived_path(code text) returns text language sql immutable as $$
  select case
    when code !~ '^[1-9][0-9]{5}$' then null
    when substr(code, 3) = '0000' then code
    when substr(code, 5) = '00' then substr(code, 1, 2) || '0000.' || code
    else substr(code, 1, 2) || '0000.' || substr(code, 1, 4) || '00.' || code
  end
$$;

-- The scope a reader sees (see above). Security definer: it reads role_bureaus whatever the reader
-- may read. The role is passed in by the policy (current_user there is the reader). The path of a
-- mapped role's bureau comes from reporting.bureau_path_of, which the reporting views' installation
-- makes over the live registry (plpgsql: resolved when called, so it may come later).
create or replace function reporting.scope_of(role_name text, setting text) returns text language plpgsql stable security definer
set search_path = pg_catalog, pg_temp as $$
declare code text;
begin
  if role_name = 'gongguan_scoped' then
    return nullif(setting, '');
  end if;
  select rb.bureau_code into code from reporting.role_bureaus rb where rb.role_name = scope_of.role_name;
  if code is null then
    return null;
  end if;
  return reporting.bureau_path_of(code);
end
$$;

-- Creates (or re-maps) a bureau's reporting role: NOLOGIN if new (an admin then gives it a login
-- and a password), member of gongguan_bureau_reader (usage on the schemas, select on the views and
-- read-model tables), mapped to `bureau_code` in role_bureaus. Idempotent. Only for administrators.
create or replace function reporting.create_bureau_role(role_name text, bureau_code text) returns void language plpgsql as $$
begin
  if bureau_code is null or bureau_code !~ '^[1-9][0-9]{5}$' then
    raise exception 'bureau_code must be a 6-digit GB/T 2260 code, got %', bureau_code using errcode = '22023';
  end if;
  if role_name is null or role_name in ('gongguan_scoped', 'gongguan_bureau_reader') or role_name like 'pg\_%' then
    raise exception 'cannot make % a bureau reporting role', role_name using errcode = '22023';
  end if;
  if not exists (select from pg_roles r where r.rolname = create_bureau_role.role_name) then
    execute format('create role %I nologin', role_name);
  elsif exists (select from pg_roles r where r.rolname = create_bureau_role.role_name and (r.rolsuper or r.rolbypassrls)) then
    raise exception 'role % bypasses row-level security: it cannot be limited to a bureau', role_name using errcode = '22023';
  end if;
  execute format('grant gongguan_bureau_reader to %I', role_name);
  insert into reporting.role_bureaus (role_name, bureau_code) values (role_name, bureau_code)
    on conflict on constraint role_bureaus_pkey do update set bureau_code = excluded.bureau_code;
end
$$;

revoke all on function reporting.create_bureau_role(text, text) from public;
revoke all on reporting.role_bureaus from public;
