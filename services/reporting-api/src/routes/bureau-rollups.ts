import type { HttpApp } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import { z } from 'zod';
import type { ReportingContext } from '../context.js';
import { toCsv } from '../csv.js';
import { guardRead } from '../read-gate.js';
import { callerBureau, scopedRead } from '../scope.js';
import { FenSum, fenCell, fenSum } from './fen.js';
import { IsoDateParam, PositionParam, readerRoles, todayOf } from './list.js';

/** A figure of a roll-up: a count, or an amount of fen. */
type Kind = 'count' | 'fen';

interface RollUpSpec {
  name: 'portfolio' | 'money' | 'due';
  summary: string;
  projections: readonly string[];
  metrics: Readonly<Record<string, Kind>>;
  query: z.ZodObject;
  /** SQL giving one row per bureau path with the figures of the rows that belong to it (`own`), each as text; `$1`… from `params`. */
  own: (query: Record<string, unknown>, today: string) => { text: string; params: unknown[]; asOf: string | null };
}

/** One bureau of the caller's subtree: its own figures and the subtotal of its whole subtree (itself included). */
export interface RollUpNode {
  code: string;
  name: string | null;
  level: string;
  path: string;
  /** The bureau it rolls up into (the path's parent); null for the caller's own bureau. */
  parentPath: string | null;
  mergedInto: string | null;
  own: Record<string, number | string>;
  subtotal: Record<string, number | string>;
}

const within = (path: string, scope: string) => path === scope || path.startsWith(`${scope}.`);

function level(code: string): string {
  return code.slice(2) === '0000' ? 'province' : code.slice(4) === '00' ? 'city' : 'county';
}

/**
 * Builds the roll-up tree of the caller's subtree from the rows the database lets it see: the
 * bureaus (`reporting.bureaus`, plus any bureau a row names that the registry view does not hold)
 * and each bureau's own figures; a node's subtotal is the sum of the own figures of every bureau
 * within its path, so each subtotal equals its own figures plus its children's subtotals.
 * Sums are exact (BigInt), sent as FenSum.
 */
export async function rollUp(db: SqlExecutor, metrics: readonly string[], own: { text: string; params: unknown[] }): Promise<{ scope: string; nodes: RollUpNode[] }> {
  const { rows: scopeRows } = await db.query<{ s: string | null }>(`select current_setting('gongguan.bureau_path', true) as s`);
  const scope = scopeRows[0]?.s ?? '';
  if (scope === '') return { scope, nodes: [] };
  const { rows: bureaus } = await db.query<{ code: string; name: string | null; level: string; path: string; merged_into: string | null }>(
    `select code, name, level, path, merged_into from reporting.bureaus order by path`,
  );
  const { rows: owned } = await db.query<Record<string, string | null> & { bureau_path: string }>(own.text, own.params);
  const zero = () => Object.fromEntries(metrics.map((m) => [m, 0n])) as Record<string, bigint>;
  const nodes = new Map<string, { code: string; name: string | null; level: string; path: string; mergedInto: string | null; own: Record<string, bigint>; subtotal: Record<string, bigint> }>();
  const ensure = (path: string) => {
    if (!within(path, scope) || nodes.has(path)) return;
    const code = path.slice(path.lastIndexOf('.') + 1);
    nodes.set(path, { code, name: null, level: level(code), path, mergedInto: null, own: zero(), subtotal: zero() });
  };
  for (const b of bureaus) {
    if (within(b.path, scope)) nodes.set(b.path, { code: b.code, name: b.name, level: b.level, path: b.path, mergedInto: b.merged_into, own: zero(), subtotal: zero() });
  }
  // Every bureau between the caller's and a bureau that has rows is a node, so the tree has no gaps.
  const prefixes = (path: string) => path.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'));
  for (const path of [...nodes.keys(), ...owned.map((r) => r.bureau_path)]) for (const p of prefixes(path)) ensure(p);
  for (const row of owned) {
    const node = nodes.get(row.bureau_path);
    if (node === undefined) continue;
    for (const m of metrics) {
      const value = BigInt(row[m] ?? '0');
      node.own[m] = (node.own[m] ?? 0n) + value;
      for (const p of prefixes(row.bureau_path)) {
        const up = nodes.get(p);
        if (up !== undefined) up.subtotal[m] = (up.subtotal[m] ?? 0n) + value;
      }
    }
  }
  const send = (figures: Record<string, bigint>) => Object.fromEntries(Object.entries(figures).map(([m, v]) => [m, fenSum(v.toString())]));
  return {
    scope,
    nodes: [...nodes.values()]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((n) => {
        const parent = n.path.includes('.') ? n.path.slice(0, n.path.lastIndexOf('.')) : null;
        return {
          code: n.code,
          name: n.name,
          level: n.level,
          path: n.path,
          parentPath: parent !== null && within(parent, scope) ? parent : null,
          mergedInto: n.mergedInto,
          own: send(n.own),
          subtotal: send(n.subtotal),
        };
      }),
  };
}

const ACTIVE = `('approved', 'in_progress', 'acceptance_applied', 'acceptance_concluded')`;

const specs: RollUpSpec[] = [
  {
    name: 'portfolio',
    summary: 'Portfolio by bureau: projects and funding of each bureau of the caller\'s subtree, with subtotals up the tree',
    projections: ['projects'],
    metrics: { projects: 'count', projectsActive: 'count', projectsClosed: 'count', requestedFunding: 'fen', approvedFunding: 'fen' },
    query: z.strictObject({ minPosition: PositionParam.optional() }),
    own: () => ({
      text: `select bureau_path, sum(projects)::text as "projects",
                    coalesce(sum(projects) filter (where status in ${ACTIVE}), 0)::text as "projectsActive",
                    coalesce(sum(projects) filter (where status = 'closed'), 0)::text as "projectsClosed",
                    coalesce(sum(requested_funding), 0)::numeric::text as "requestedFunding",
                    coalesce(sum(approved_funding), 0)::numeric::text as "approvedFunding"
               from reporting.portfolio group by bureau_path`,
      params: [],
      asOf: null,
    }),
  },
  {
    name: 'money',
    summary: 'Money by bureau: paid, reversed, clawed back and net (fen) of each bureau of the caller\'s subtree, with subtotals up the tree',
    projections: ['money', 'projects'],
    metrics: { movements: 'count', paid: 'fen', reversed: 'fen', clawedBack: 'fen', net: 'fen' },
    query: z.strictObject({
      year: z.coerce.number().int().min(1990).max(2200).optional().meta({ description: 'calendar year of the movements (all years when absent)' }),
      rule: z.enum(['R1', 'R2', 'R3']).optional(),
      minPosition: PositionParam.optional(),
    }),
    own: (q) => ({
      text: `select bureau_path, count(*)::text as "movements",
                    coalesce(sum(amount) filter (where kind = 'paid'), 0)::numeric::text as "paid",
                    coalesce(sum(amount) filter (where kind = 'reversed'), 0)::numeric::text as "reversed",
                    coalesce(sum(amount) filter (where kind = 'clawed_back'), 0)::numeric::text as "clawedBack",
                    coalesce(sum(case when kind = 'paid' then amount else -amount end), 0)::numeric::text as "net"
               from reporting.money_movements where ($1::int is null or year = $1::int) and ($2::text is null or rule = $2::text)
              group by bureau_path`,
      params: [q.year ?? null, q.rule ?? null],
      asOf: null,
    }),
  },
  {
    name: 'due',
    summary: 'Due and overdue by bureau: open milestones, rectifications and acceptance deadlines of each bureau of the caller\'s subtree, with subtotals up the tree',
    projections: ['projects'],
    metrics: { due: 'count', dueSoon: 'count', overdue: 'count', milestonesOverdue: 'count', rectificationsOverdue: 'count', acceptanceOverdue: 'count' },
    query: z.strictObject({
      asOf: IsoDateParam.optional().meta({ description: 'Evaluate on this date instead of today' }),
      withinDays: z.coerce.number().int().min(0).max(3660).default(30).meta({ description: '"due soon": not overdue and due within this many days' }),
      minPosition: PositionParam.optional(),
    }),
    own: (q, today) => ({
      text: `select bureau_path, count(*)::text as "due",
                    count(*) filter (where not overdue and days_until_due <= $2::int)::text as "dueSoon",
                    count(*) filter (where overdue)::text as "overdue",
                    count(*) filter (where overdue and kind = 'milestone')::text as "milestonesOverdue",
                    count(*) filter (where overdue and kind = 'rectification')::text as "rectificationsOverdue",
                    count(*) filter (where overdue and kind = 'acceptance')::text as "acceptanceOverdue"
               from reporting.due_items_as_of($1::date) group by bureau_path`,
      params: [today, q.withinDays ?? 30],
      asOf: today,
    }),
  },
];

function figuresSchema(metrics: Readonly<Record<string, Kind>>) {
  return z.object(Object.fromEntries(Object.entries(metrics).map(([m, kind]) => [m, kind === 'count' ? z.number().int() : FenSum])));
}

/** `GET /v1/reporting/bureaus/{portfolio,money,due}` (JSON and `.csv`): figures by bureau with subtotals up the tree, the caller's subtree only. */
export function registerBureauRollUps(app: HttpApp, ctx: ReportingContext): void {
  for (const spec of specs) {
    const figures = figuresSchema(spec.metrics);
    const Response = z.object({
      scope: z.string().meta({ description: 'the path of the caller\'s bureau: every bureau listed is within it' }),
      asOf: z.string().nullable(),
      bureaus: z.array(
        z.object({
          code: z.string(),
          name: z.string().nullable(),
          level: z.string(),
          path: z.string(),
          parentPath: z.string().nullable(),
          mergedInto: z.string().nullable(),
          own: figures,
          subtotal: figures,
        }),
      ),
    });
    const run = async (request: { query: unknown; principal?: { bureau: string } | undefined }, reply: { header(name: string, value: string): unknown }) => {
      const query = request.query as Record<string, unknown> & { minPosition?: string; asOf?: string };
      await guardRead(ctx.gate, reply, spec.projections, query.minPosition);
      const today = todayOf(ctx, query.asOf);
      const own = spec.own(query, today);
      const { scope, nodes } = await scopedRead(ctx, callerBureau(request), (db) => rollUp(db, Object.keys(spec.metrics), own));
      return { scope, asOf: own.asOf, bureaus: nodes };
    };
    const path = `/v1/reporting/bureaus/${spec.name}`;
    app.get(path, { config: { roles: readerRoles }, schema: { tags: ['reports'], summary: spec.summary, querystring: spec.query, response: { 200: Response } } }, async (request, reply) =>
      run(request, reply),
    );
    app.get(
      `${path}.csv`,
      { config: { roles: readerRoles }, schema: { tags: ['reports'], summary: `${spec.summary} (CSV, UTF-8 with BOM)`, querystring: spec.query, produces: ['text/csv'] } },
      async (request, reply) => {
        const result = await run(request, reply);
        const metrics = Object.keys(spec.metrics);
        const columns = ['code', 'name', 'level', 'path', 'parent_path', ...metrics.map((m) => `own_${m}`), ...metrics.map((m) => `subtotal_${m}`)];
        const rows = result.bureaus.map((b) => ({
          code: b.code,
          name: b.name,
          level: b.level,
          path: b.path,
          parent_path: b.parentPath,
          ...Object.fromEntries(metrics.map((m) => [`own_${m}`, fenCell(b.own[m])])),
          ...Object.fromEntries(metrics.map((m) => [`subtotal_${m}`, fenCell(b.subtotal[m])])),
        }));
        reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="bureaus-${spec.name}.csv"`);
        return toCsv(columns, rows);
      },
    );
  }
}
