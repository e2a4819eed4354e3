/**
 * The stable reporting interface: `reporting.*` views and `reporting.*_as_of(date)` functions over
 * the current generation of each projection. `{projects}`, `{money}` and `{activity}` are replaced
 * by the schemas of the generations readers should see. Columns are only ever added (at the end),
 * so `create or replace` keeps working and reporting jobs' own views on these keep working.
 * Time-driven facts (overdue, days left) are evaluated against the date given to the functions;
 * the views use today in Asia/Shanghai. Overdue has one definition: the `reporting.*_open_on`,
 * `acceptance_due_on` and `is_overdue` functions, which `due_items_as_of` and the other views use.
 */
export const reportingSql = `
-- Columns are only ever added at the end; PostgreSQL cannot add result columns to a function in
-- place, so an *_as_of function from before the bureau columns is dropped once (with what depends on it) and made again.
do $drop$
declare f text;
begin
  foreach f in array array['due_items_as_of', 'projects_as_of', 'milestones_as_of', 'rectifications_as_of'] loop
    if exists (select from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                where n.nspname = 'reporting' and p.proname = f
                  and (pg_get_function_result(p.oid) not like '%bureau_path%'
                       or (f = 'projects_as_of' and pg_get_function_result(p.oid) not like '%county_code%'))) then
      execute format('drop function reporting.%I(date) cascade', f);
    end if;
  end loop;
end
$drop$;

-- The path of a bureau: the registry's (the live bureaus table), or the one its code gives.
create or replace function reporting.bureau_path_of(code text) returns text language sql stable security definer
set search_path = pg_catalog, pg_temp as $$
  select coalesce((select b.path from {projects}.bureaus b where b.code = bureau_path_of.code), reporting.derived_path(code))
$$;

create or replace function reporting.today() returns date language sql stable as $$
  select (now() at time zone 'Asia/Shanghai')::date
$$;

-- The one definition of "due" and "overdue" (mirrored by dueItems(state, today) in @gongguan/domain,
-- held to it by a property test): what a project owes on a day, from the dates its rows carry, so a
-- past day's answer does not change when later events arrive. Nothing before the task book's start
-- or from the day the project ended; a milestone until the day it is accepted (reported or returned
-- is not done); a rectification from the day it is ordered until the day it is completed; the
-- application for acceptance until the day it is applied for, in either stage, by the deadline in
-- force that day (the extended one from the day an extension is approved). Overdue: the day is
-- after the due date. The rules are the small functions below (SQL functions of one expression,
-- which PostgreSQL inlines, so a view that uses them keeps its indexes); due_items_as_of lists
-- with them, and every other view and report reads overdue through them.
create or replace function reporting.is_overdue(due_on date, today date) returns boolean language sql immutable as $$
  select due_on < today
$$;

create or replace function reporting.running_on(start_on date, ended_on date, today date) returns boolean language sql immutable as $$
  select start_on <= today and (ended_on is null or ended_on > today)
$$;

create or replace function reporting.milestone_open_on(start_on date, ended_on date, accepted_on date, today date)
returns boolean language sql immutable as $$
  select reporting.running_on(start_on, ended_on, today) and (accepted_on is null or accepted_on > today)
$$;

create or replace function reporting.rectification_open_on(start_on date, ended_on date, ordered_on date, completed_on date, today date)
returns boolean language sql immutable as $$
  select reporting.running_on(start_on, ended_on, today) and ordered_on <= today and (completed_on is null or completed_on > today)
$$;

-- The acceptance deadline the project owes on the day, or null when it owes none then.
create or replace function reporting.acceptance_due_on(
  start_on date, ended_on date, applied_on date, deadline date, original_deadline date, extension_approved_on date, today date
) returns date language sql immutable as $$
  select case when reporting.running_on(start_on, ended_on, today) and (applied_on is null or applied_on > today)
              then case when extension_approved_on <= today then deadline else original_deadline end end
$$;

create or replace function reporting.due_items_as_of(today date)
returns table (
  item_key text, kind text, project_id text, item_id text, title text, due_on date, overdue boolean, days_until_due integer,
  programme_id text, project_title text, industry text, county text, bureau_code text, bureau_path text
) language sql stable as $$
  select 'milestone:' || m.milestone_key, 'milestone', m.project_id, m.milestone_id, m.title, m.due_on, reporting.is_overdue(m.due_on, today),
         m.due_on - today, p.programme_id, p.title, p.industry, p.county, p.bureau_code, p.bureau_path
    from {projects}.milestones m join {projects}.projects p using (project_id)
   where reporting.milestone_open_on(p.start_on, p.ended_on, m.accepted_on, today)
  union all
  select 'rectification:' || r.rectification_key, 'rectification', r.project_id, r.rectification_id, r.issue, r.due_on,
         reporting.is_overdue(r.due_on, today), r.due_on - today, p.programme_id, p.title, p.industry, p.county, p.bureau_code, p.bureau_path
    from {projects}.rectifications r join {projects}.projects p using (project_id)
   where reporting.rectification_open_on(p.start_on, p.ended_on, r.ordered_on, r.completed_on, today)
  union all
  select 'acceptance:' || a.project_id, 'acceptance', a.project_id, 'acceptance', '申请验收 (apply for acceptance)', a.due_on,
         reporting.is_overdue(a.due_on, today), a.due_on - today, a.programme_id, a.title, a.industry, a.county, a.bureau_code, a.bureau_path
    from (select p.*, reporting.acceptance_due_on(p.start_on, p.ended_on, p.acceptance_applied_on, p.acceptance_deadline,
                        p.original_acceptance_deadline, p.extension_approved_on, today) as due_on
            from {projects}.projects p
           -- implied by a due date (nothing is due of a project not running), and said here so the
           -- index on ended_on finds the running projects rather than reading every one
           where reporting.running_on(p.start_on, p.ended_on, today)) a
   where a.due_on is not null
$$;

-- A project's counters on the day (milestones and rectifications overdue or due within 30 days, the
-- acceptance overdue, money paid and reversed) are scalar subqueries over that project's own rows,
-- with the same rules as due_items_as_of: a page of 50 projects counts for those 50, not for every
-- project in scope, and a query that reads only a project's own columns (the reports) counts
-- nothing, since the planner drops the outputs nobody reads. They compare ids in the database's
-- collation, the project_id indexes': a project's key is "C", and a comparison in "C" misses them.
create or replace function reporting.projects_as_of(today date)
returns table (
  project_id text, programme_id text, title text, industry text, county text, lead_name text, lead_credit_code text,
  principal_investigator text, status text, stage text, suspended boolean, submitted_on date, approved_on date,
  start_on date, end_on date, extension_months integer, acceptance_deadline date, acceptance_applied_on date,
  acceptance_result text, ended_on date, days_left integer, acceptance_overdue boolean,
  requested_funding bigint, approved_funding bigint, milestones_total integer, milestones_accepted integer,
  milestones_overdue integer, milestones_due_30d integer, rectifications_open integer, rectifications_overdue integer,
  money_awarded bigint, money_paid bigint, money_reversed bigint, r1_awarded bigint, r2_granted bigint, r2_clawed_back bigint,
  contracts integer, contract_amount bigint, bank_paid bigint, latest_grade text, last_event_at timestamptz,
  bureau_code text, bureau_path text, county_code text
) language sql stable as $$
  select p.project_id, p.programme_id, p.title, p.industry, p.county, p.lead_name, p.lead_credit_code,
    p.principal_investigator, p.status, p.stage, p.suspended, p.submitted_on, p.approved_on,
    p.start_on, p.end_on, p.extension_months, p.acceptance_deadline, p.acceptance_applied_on,
    p.acceptance_result, p.ended_on,
    case when p.status in ('approved', 'in_progress', 'acceptance_applied') then (p.end_on - today) end,
    coalesce(reporting.is_overdue(reporting.acceptance_due_on(p.start_on, p.ended_on, p.acceptance_applied_on, p.acceptance_deadline,
                                    p.original_acceptance_deadline, p.extension_approved_on, today), today), false),
    p.requested_funding, p.approved_funding, p.milestones_total, p.milestones_accepted,
    (select count(*) from {projects}.milestones m where m.project_id = p.project_id collate "default"
        and reporting.milestone_open_on(p.start_on, p.ended_on, m.accepted_on, today) and reporting.is_overdue(m.due_on, today))::int,
    (select count(*) from {projects}.milestones m where m.project_id = p.project_id collate "default"
        and reporting.milestone_open_on(p.start_on, p.ended_on, m.accepted_on, today) and not reporting.is_overdue(m.due_on, today) and m.due_on < today + 30)::int,
    p.rectifications_open,
    (select count(*) from {projects}.rectifications r where r.project_id = p.project_id collate "default"
        and reporting.rectification_open_on(p.start_on, p.ended_on, r.ordered_on, r.completed_on, today) and reporting.is_overdue(r.due_on, today))::int,
    (p.r1_awarded + p.r2_granted - p.r2_clawed_back),
    coalesce((select sum(x.amount) from {money}.money_movements x where x.project_id = p.project_id collate "default" and x.kind = 'paid'), 0)::bigint,
    coalesce((select sum(x.amount) from {money}.money_movements x where x.project_id = p.project_id collate "default" and x.kind <> 'paid'), 0)::bigint,
    p.r1_awarded, p.r2_granted, p.r2_clawed_back, p.contracts, p.contract_amount, p.bank_paid, p.latest_grade, p.last_event_at,
    p.bureau_code, p.bureau_path, p.county_code
  from {projects}.projects p
$$;

create or replace function reporting.milestones_as_of(today date)
returns table (
  milestone_key text, project_id text, milestone_id text, title text, due_on date, status text, reported_on date,
  accepted_on date, returned_count integer, programme_id text, project_title text, industry text, county text,
  project_status text, overdue boolean, days_until_due integer, bureau_code text, bureau_path text
) language sql stable as $$
  select m.milestone_key, m.project_id, m.milestone_id, m.title, m.due_on, m.status, m.reported_on, m.accepted_on,
    m.returned_count, p.programme_id, p.title, p.industry, p.county, p.status,
    coalesce(reporting.milestone_open_on(p.start_on, p.ended_on, m.accepted_on, today) and reporting.is_overdue(m.due_on, today), false),
    (m.due_on - today), m.bureau_code, m.bureau_path
  from {projects}.milestones m join {projects}.projects p using (project_id)
$$;

create or replace function reporting.rectifications_as_of(today date)
returns table (
  rectification_key text, project_id text, rectification_id text, issue text, ordered_on date, due_on date, status text,
  completed_on date, late boolean, programme_id text, project_title text, industry text, county text, project_status text,
  overdue boolean, days_until_due integer, bureau_code text, bureau_path text
) language sql stable as $$
  select r.rectification_key, r.project_id, r.rectification_id, r.issue, r.ordered_on, r.due_on, r.status, r.completed_on,
    r.late, p.programme_id, p.title, p.industry, p.county, p.status,
    coalesce(reporting.rectification_open_on(p.start_on, p.ended_on, r.ordered_on, r.completed_on, today) and reporting.is_overdue(r.due_on, today), false),
    (r.due_on - today), r.bureau_code, r.bureau_path
  from {projects}.rectifications r join {projects}.projects p using (project_id)
$$;

create or replace view reporting.projects with (security_invoker = true) as select * from reporting.projects_as_of(reporting.today());
create or replace view reporting.milestones with (security_invoker = true) as select * from reporting.milestones_as_of(reporting.today());
create or replace view reporting.rectifications with (security_invoker = true) as select * from reporting.rectifications_as_of(reporting.today());
create or replace view reporting.due_items with (security_invoker = true) as select * from reporting.due_items_as_of(reporting.today());

create or replace view reporting.programmes with (security_invoker = true) as
  select g.programme_id, g.name, g.bureau, g.quota, g.slots_taken, (g.quota - g.slots_taken) as quota_remaining,
         g.focus_industries, g.launched_on, g.opens_on, g.closes_on, g.closed_on,
         coalesce(c.submitted, 0) as projects_submitted, coalesce(c.approved, 0) as projects_approved,
         coalesce(c.active, 0) as projects_active, coalesce(c.closed, 0) as projects_closed, g.bureau_code, g.bureau_path,
         g.status, g.withdrawn_on, coalesce(c.withdrawn, 0) as projects_withdrawn, g.amended_on
    from {projects}.programmes g
    left join lateral (
      select count(*)::int as submitted,
             count(*) filter (where p.approved_on is not null)::int as approved,
             count(*) filter (where p.status in ('approved', 'in_progress', 'acceptance_applied', 'acceptance_concluded'))::int as active,
             count(*) filter (where p.status = 'closed')::int as closed,
             count(*) filter (where p.status = 'withdrawn')::int as withdrawn
        from {projects}.projects p where p.programme_id = g.programme_id collate "default"
    ) c on true;

create or replace view reporting.portfolio with (security_invoker = true) as
  select programme_id, stage, status, industry, county, count(*)::int as projects,
         sum(requested_funding)::bigint as requested_funding, coalesce(sum(approved_funding), 0)::bigint as approved_funding,
         bureau_code, bureau_path
    from {projects}.projects group by programme_id, stage, status, industry, county, bureau_code, bureau_path;

-- Each expert reviewer's assignments with what the reviewer needs of the proposal (issue 20: the expert's worklist).
create or replace view reporting.review_assignments with (security_invoker = true) as
  select a.assignment_key, a.project_id, a.reviewer_id, a.reviewer_name, a.assigned_on, a.status, a.score, a.scored_on,
         a.conflict_declared_on, p.programme_id, p.title as project_title, p.lead_name, p.industry, p.county,
         p.requested_funding, p.status as project_status, a.bureau_code, a.bureau_path
    from {projects}.review_assignments a join {projects}.projects p using (project_id);

create or replace view reporting.disbursements with (security_invoker = true) as select * from {money}.disbursements;
create or replace view reporting.money_movements with (security_invoker = true) as select * from {money}.money_movements;

create or replace view reporting.enterprise_subsidies with (security_invoker = true) as
  select ledger, credit_code, year, annual_cap, threshold, rate_bps, threshold_mode, entries as payments, volume as bank_paid,
         reversed_volume as bank_paid_reversed, entitlement, granted, clawed_back, (annual_cap - entitlement) as cap_remaining,
         bureau_code, bureau_path
    from {money}.subsidy_ledgers where rule = 'R2';

create or replace view reporting.institution_subsidies with (security_invoker = true) as
  select ledger, credit_code, year, annual_cap, rate_bps, entries as transactions, volume as in_city_volume,
         reversed_volume as volume_reversed, entitlement, granted, clawed_back, (annual_cap - entitlement) as cap_remaining,
         bureau_code, bureau_path
    from {money}.subsidy_ledgers where rule = 'R3';

create or replace view reporting.subsidy_entries with (security_invoker = true) as select * from {money}.subsidy_entries;

create or replace view reporting.activity with (security_invoker = true) as select * from {activity}.activity;

-- The bureaus: the registry, and every code a fact named that it never registered (path from the code).
create or replace view reporting.bureaus with (security_invoker = true) as
  select code, name, level, parent_code, path, merged_into, registered from {projects}.bureaus;

-- Reporting roles read through gongguan_bureau_reader; row-level security on the tables limits what they see.
grant select on reporting.projects, reporting.milestones, reporting.rectifications, reporting.due_items, reporting.programmes,
  reporting.portfolio, reporting.disbursements, reporting.money_movements, reporting.enterprise_subsidies,
  reporting.institution_subsidies, reporting.subsidy_entries, reporting.activity, reporting.bureaus, reporting.review_assignments to gongguan_bureau_reader;
`;
