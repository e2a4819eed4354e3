import { compareDates } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import type { ReportingContext } from '../context.js';
import { toCsv } from '../csv.js';
import { FenSum, fenCell } from './fen.js';
import { guardRead } from '../read-gate.js';
import { callerBureau, scopedRead } from '../scope.js';
import type { SqlExecutor } from '@gongguan/platform/db';
import { PositionParam, readerRoles, todayOf } from './list.js';
import {
  milestonesInPeriod,
  moneyByRuleAndYear,
  moneyInPeriod,
  overdueOn,
  portfolioNow,
  projectFlow,
  subsidiesOfYear,
  type ReportLine,
} from './report-queries.js';

const Line = z.object({ group: z.string(), key: z.string(), count: z.number().int(), amount: FenSum });
const Overdue = z.object({
  total: z.number().int(),
  items: z.array(
    z.object({
      kind: z.string(),
      projectId: z.string(),
      itemId: z.string(),
      title: z.string(),
      dueOn: z.string(),
      programmeId: z.string(),
      projectTitle: z.string(),
      industry: z.string(),
      county: z.string(),
    }),
  ),
});
const Report = z
  .object({
    period: z.object({ from: z.string(), to: z.string(), label: z.string() }),
    asOf: z.string().meta({ description: 'Overdue items are those overdue on this day: the end of the period, or today if earlier' }),
    sections: z.record(z.string(), z.array(Line)),
    overdue: Overdue,
  })
  .meta({
    example: {
      period: { from: '2024-01-01', to: '2024-12-31', label: '2024' },
      asOf: '2024-12-31',
      sections: { money: [{ group: 'R1:2024', key: 'paid', count: 12, amount: 120000000 }] },
      overdue: { total: 1, items: [{ kind: 'milestone', projectId: 'tz-2023-0004', itemId: 'm2', title: '完成样机试制', dueOn: '2024-11-30', programmeId: 'tz-2023', projectTitle: '…', industry: '泵业', county: '温岭市' }] },
    },
  });
type Report = z.infer<typeof Report>;

const reportProjections = ['projects', 'money'];

function reportCsv(report: Report): string {
  const rows: Array<Record<string, unknown>> = [];
  for (const [section, lines] of Object.entries(report.sections)) {
    for (const l of lines) rows.push({ section, group: l.group, key: l.key, count: l.count, amount_fen: fenCell(l.amount) });
  }
  for (const item of report.overdue.items) {
    rows.push({ section: 'overdue', group: item.kind, key: `${item.projectId}/${item.itemId}`, count: 1, amount_fen: 0, due_on: item.dueOn, title: item.title, project_title: item.projectTitle, industry: item.industry, county: item.county });
  }
  return toCsv(['section', 'group', 'key', 'count', 'amount_fen', 'due_on', 'title', 'project_title', 'industry', 'county'], rows);
}

async function build(ctx: ReportingContext, db: SqlExecutor, from: string, to: string, label: string, year: number, overdueLimit: number): Promise<Report> {
  const today = todayOf(ctx, undefined);
  const asOf = compareDates(today, to) < 0 ? today : to;
  const sections: Record<string, ReportLine[]> = {
    projects: await projectFlow(db, from, to),
    milestones: await milestonesInPeriod(db, from, to),
    money: await moneyInPeriod(db, from, to),
    moneyByRuleAndYear: await moneyByRuleAndYear(db, year),
    subsidies: await subsidiesOfYear(db, year),
    portfolio: await portfolioNow(db),
  };
  return { period: { from, to, label }, asOf, sections, overdue: await overdueOn(db, asOf, overdueLimit) };
}

const quarterQuery = z.strictObject({
  year: z.coerce.number().int().min(1990).max(2200),
  quarter: z.coerce.number().int().min(1).max(4),
  minPosition: PositionParam.optional(),
});
const annualQuery = z.strictObject({ year: z.coerce.number().int().min(1990).max(2200), minPosition: PositionParam.optional() });

function quarterPeriod(year: number, quarter: number) {
  const startMonth = (quarter - 1) * 3 + 1;
  const endMonth = startMonth + 2;
  const lastDay = new Date(Date.UTC(year, endMonth, 0)).getUTCDate();
  const pad = (n: number) => String(n).padStart(2, '0');
  return { from: `${year}-${pad(startMonth)}-01`, to: `${year}-${pad(endMonth)}-${pad(lastDay)}`, label: `${year}Q${quarter}` };
}

/** The quarterly report and the annual summary (due January 15), as JSON and CSV. */
export function registerReports(app: HttpApp, ctx: ReportingContext): void {
  const variants = [
    { path: '/v1/reporting/quarterly', query: quarterQuery, summary: 'Quarterly report: projects, milestones and money in the quarter; overdue items at its end' },
    { path: '/v1/reporting/annual', query: annualQuery, summary: 'Annual summary: counts, money by rule and year, subsidies against their caps, overdue items at year end' },
  ] as const;
  for (const variant of variants) {
    const make = async (query: { year: number; quarter?: number; minPosition?: string | undefined }, limit: number, reply: { header(name: string, value: string): unknown }, bureau: string) => {
      await guardRead(ctx.gate, reply, reportProjections, query.minPosition);
      const period = query.quarter === undefined ? { from: `${query.year}-01-01`, to: `${query.year}-12-31`, label: String(query.year) } : quarterPeriod(query.year, query.quarter);
      // The caller's subtree only, enforced by the database (see scope.ts).
      return scopedRead(ctx, bureau, (db) => build(ctx, db, period.from, period.to, period.label, query.year, limit));
    };
    app.get(
      variant.path,
      { config: { roles: readerRoles }, schema: { tags: ['reports'], summary: variant.summary, querystring: variant.query, response: { 200: Report } } },
      async (request, reply) => make(request.query, 1000, reply, callerBureau(request)),
    );
    app.get(
      `${variant.path}.csv`,
      { config: { roles: readerRoles }, schema: { tags: ['reports'], summary: `${variant.summary} (CSV, UTF-8 with BOM)`, querystring: variant.query, produces: ['text/csv'] } },
      async (request, reply) => {
        const report = await make(request.query, 100_000, reply, callerBureau(request));
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="report-${report.period.label}.csv"`);
        return reportCsv(report);
      },
    );
  }
}
