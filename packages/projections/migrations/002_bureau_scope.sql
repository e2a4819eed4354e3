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

do $$
begin
  if not exists (select from pg_roles where rolname = 'gongguan_reporting') then
    create role gongguan_reporting nologin;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

do $$
begin
  if not exists (select from pg_roles where rolname = 'gongguan_scoped') then
    create role gongguan_scoped nologin;
  end if;
exception when duplicate_object or unique_violation then null;
end $$;

do $$
begin
  grant gongguan_reporting to gongguan_scoped;
  -- The services' own role sets `role gongguan_scoped` for each reporting read.
  if not (select rolsuper from pg_roles where rolname = current_user) then
    execute format('grant gongguan_scoped to %I', current_user);
  end if;
exception when others then
  raise warning 'could not grant gongguan_scoped to %: %; grant it by hand (see services/reporting-api/README.md)', current_user, sqlerrm;
end $$;

grant usage on schema reporting to gongguan_reporting;

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

-- The path of a bureau: replaced by the reporting views' installation with one that reads the
-- registry (the live bureaus table) and falls back to derived_path.
create or replace function reporting.bureau_path_of(code text) returns text language sql stable security definer
set search_path = pg_catalog, pg_temp as $$
  select reporting.derived_path(code)
$$;

-- The scope a reader sees (see above). Security definer: it reads role_bureaus and the registry
-- whatever the reader may read. The role is passed in by the policy (current_user there is the reader).
create or replace function reporting.scope_of(role_name text, setting text) returns text language sql stable security definer
set search_path = pg_catalog, pg_temp as $$
  select case
    when role_name = 'gongguan_scoped' then nullif(setting, '')
    else (select reporting.bureau_path_of(rb.bureau_code) from reporting.role_bureaus rb where rb.role_name = scope_of.role_name)
  end
$$;

-- Creates (or re-maps) a bureau's reporting role: NOLOGIN if new (an admin then gives it a login
-- and a password), member of gongguan_reporting (usage on the schemas, select on the views and
-- read-model tables), mapped to `bureau_code` in role_bureaus. Idempotent. Only for administrators.
create or replace function reporting.create_bureau_role(role_name text, bureau_code text) returns void language plpgsql as $$
begin
  if bureau_code is null or bureau_code !~ '^[1-9][0-9]{5}$' then
    raise exception 'bureau_code must be a 6-digit GB/T 2260 code, got %', bureau_code using errcode = '22023';
  end if;
  if role_name is null or role_name in ('gongguan_scoped', 'gongguan_reporting') or role_name like 'pg\_%' then
    raise exception 'cannot make % a bureau reporting role', role_name using errcode = '22023';
  end if;
  if not exists (select from pg_roles r where r.rolname = create_bureau_role.role_name) then
    execute format('create role %I nologin', role_name);
  elsif exists (select from pg_roles r where r.rolname = create_bureau_role.role_name and (r.rolsuper or r.rolbypassrls)) then
    raise exception 'role % bypasses row-level security: it cannot be limited to a bureau', role_name using errcode = '22023';
  end if;
  execute format('grant gongguan_reporting to %I', role_name);
  insert into reporting.role_bureaus (role_name, bureau_code) values (role_name, bureau_code)
    on conflict on constraint role_bureaus_pkey do update set bureau_code = excluded.bureau_code;
end
$$;

revoke all on function reporting.create_bureau_role(text, text) from public;
revoke all on reporting.role_bureaus from public;
