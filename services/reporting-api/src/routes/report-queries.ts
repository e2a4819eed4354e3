import type { SqlExecutor } from '@gongguan/platform/db';
import { fenSum, type FenSum } from './fen.js';

/** One line of a report table: what is counted, under which group, how many and how much. */
export interface ReportLine {
  group: string;
  key: string;
  count: number;
  /** fen, exact: see FenSum */
  amount: FenSum;
}

export interface OverdueItem {
  kind: string;
  projectId: string;
  itemId: string;
  title: string;
  dueOn: string;
  programmeId: string;
  projectTitle: string;
  industry: string;
  county: string;
}

async function lines(sql: SqlExecutor, text: string, params: unknown[]): Promise<ReportLine[]> {
  const { rows } = await sql.query<{ group: string; key: string; count: number; amount: string }>(text, params);
  return rows.map((r) => ({ group: String(r.group), key: String(r.key), count: Number(r.count), amount: fenSum(r.amount) }));
}

/** Projects that moved in the period: submitted, approved, rejected, terminated, withdrawn, closed (by their business dates). */
export function projectFlow(sql: SqlExecutor, from: string, to: string): Promise<ReportLine[]> {
  return lines(
    sql,
    `select 'projects' as "group", k.key, count(*)::int as count, coalesce(sum(k.amount), 0)::numeric::text as amount from (
       select 'submitted' as key, requested_funding as amount from reporting.projects where submitted_on between $1 and $2
       union all select 'approved', coalesce(approved_funding, 0) from reporting.projects where approved_on between $1 and $2
       union all select status, 0 from reporting.projects where ended_on between $1 and $2 and status in ('rejected', 'terminated', 'closed', 'withdrawn')
       union all select 'acceptance_' || acceptance_result, 0 from reporting.projects where acceptance_applied_on is not null and acceptance_result is not null and ended_on between $1 and $2
     ) k group by k.key order by k.key`,
    [from, to],
  );
}

/**
 * Where the portfolio stands now: by stage/status, industry and county, in one pass over the
 * projects (grouping sets; `reporting.projects` computes no counter nobody reads).
 */
export function portfolioNow(sql: SqlExecutor): Promise<ReportLine[]> {
  return lines(
    sql,
    `select case when grouping(stage, status) = 0 then 'stage' when grouping(industry) = 0 then 'industry' else 'county' end as "group",
            case when grouping(stage, status) = 0 then stage || '/' || status when grouping(industry) = 0 then industry else county end as key,
            count(*)::int as count, coalesce(sum(approved_funding), 0)::numeric::text as amount
       from reporting.projects
      group by grouping sets ((stage, status), (industry), (county))
      order by 1, 2`,
    [],
  );
}

/** Money moved in the period, by rule and kind (paid, reversed, clawed back). */
export function moneyInPeriod(sql: SqlExecutor, from: string, to: string): Promise<ReportLine[]> {
  return lines(
    sql,
    `select 'money:' || rule as "group", kind as key, count(*)::int as count, sum(amount)::numeric::text as amount
       from reporting.money_movements where on_date between $1 and $2 group by rule, kind order by 1, 2`,
    [from, to],
  );
}

/** Money by rule and calendar year up to `year`: paid, reversed, clawed back and net (one scan, net from its groups). */
export function moneyByRuleAndYear(sql: SqlExecutor, year: number): Promise<ReportLine[]> {
  return lines(
    sql,
    `with g as (
       select rule, year, kind, count(*)::int as n, sum(amount)::numeric as amount
         from reporting.money_movements where year <= $1 group by rule, year, kind
     )
     select rule || ':' || year as "group", kind as key, n as count, amount::text as amount from g
     union all
     select rule || ':' || year, 'net', sum(n)::int, sum(case when kind = 'paid' then amount else -amount end)::text from g group by rule, year
     order by 1, 2`,
    [year],
  );
}

/** The subsidy ledgers of a year: entitlement, granted, clawed back, how many reached their cap. */
export function subsidiesOfYear(sql: SqlExecutor, year: number): Promise<ReportLine[]> {
  return lines(
    sql,
    `select 'subsidy:R2' as "group", k.key, k.count, k.amount from (
       select 'turnover' as key, count(*)::int as count, coalesce(sum(bank_paid), 0)::numeric::text as amount from reporting.enterprise_subsidies where year = $1
       union all select 'entitlement', count(*)::int, coalesce(sum(entitlement), 0)::numeric::text from reporting.enterprise_subsidies where year = $1
       union all select 'clawed_back', count(*)::int, coalesce(sum(clawed_back), 0)::numeric::text from reporting.enterprise_subsidies where year = $1
       union all select 'at_cap', count(*)::int, coalesce(sum(entitlement), 0)::numeric::text from reporting.enterprise_subsidies where year = $1 and cap_remaining = 0
     ) k
     union all
     select 'subsidy:R3', k.key, k.count, k.amount from (
       select 'volume' as key, count(*)::int as count, coalesce(sum(in_city_volume), 0)::numeric::text as amount from reporting.institution_subsidies where year = $1
       union all select 'entitlement', count(*)::int, coalesce(sum(entitlement), 0)::numeric::text from reporting.institution_subsidies where year = $1
       union all select 'clawed_back', count(*)::int, coalesce(sum(clawed_back), 0)::numeric::text from reporting.institution_subsidies where year = $1
       union all select 'at_cap', count(*)::int, coalesce(sum(entitlement), 0)::numeric::text from reporting.institution_subsidies where year = $1 and cap_remaining = 0
     ) k`,
    [year],
  );
}

/** Milestones due in the period, and how many were reported by their due date. */
export function milestonesInPeriod(sql: SqlExecutor, from: string, to: string): Promise<ReportLine[]> {
  return lines(
    sql,
    `select 'milestones' as "group", k.key, count(*)::int as count, '0' as amount from (
       select case when reported_on is not null and reported_on <= due_on then 'due_reported_on_time'
                   when reported_on is not null then 'due_reported_late' else 'due_not_reported' end as key
         from reporting.milestones where due_on between $1 and $2
     ) k group by k.key order by k.key`,
    [from, to],
  );
}

/**
 * What was overdue on `day`, by the one definition of overdue (`reporting.due_items_as_of`, see the
 * projections README): evaluated from the dates the rows carry, so a past day's report does not
 * change later.
 */
export async function overdueOn(sql: SqlExecutor, day: string, limit: number): Promise<{ total: number; items: OverdueItem[] }> {
  // One evaluation of the day's items: the page and, beside each row, how many there are in all.
  const { rows } = await sql.query<{ j: string; total: number }>(
    `select json_build_object('kind', kind, 'projectId', project_id, 'itemId', item_id, 'title', title, 'dueOn', due_on, 'programmeId', programme_id,
              'projectTitle', project_title, 'industry', industry, 'county', county)::text as j, total
       from (select *, count(*) over ()::int as total from reporting.due_items_as_of($1::date) where overdue) x
      order by due_on, project_id, kind, item_id limit $2`,
    [day, limit],
  );
  // With no row on the page (limit 0, or nothing overdue) the total needs a count of its own.
  const totals = rows.length > 0 ? [{ n: rows[0]!.total }] : (await sql.query<{ n: number }>(`select count(*)::int as n from reporting.due_items_as_of($1::date) where overdue`, [day])).rows;
  return { total: totals[0]?.n ?? 0, items: rows.map((r) => JSON.parse(r.j) as OverdueItem) };
}
