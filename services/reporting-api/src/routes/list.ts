import { createHash } from 'node:crypto';
import { appError, type HttpApp, type Role } from '@gongguan/platform';
import { reportingColumns, viewProjections, type ReportingView } from '@gongguan/projections';
import { IsoDate, queryText, toShanghaiDate } from '@gongguan/domain';
import { z } from 'zod';
import type { ReportingContext } from '../context.js';
import { toCsv } from '../csv.js';
import { camelRow, exactRows, rowSchema } from '../rows.js';
import { guardRead } from '../read-gate.js';
import { callerBureau, scopedRead } from '../scope.js';
import type { SqlExecutor } from '@gongguan/platform/db';

export const readerRoles: readonly Role[] = ['reporter', 'auditor', 'officer'];

type SortType = 'text' | 'date' | 'bigint' | 'integer';

/** A filter: its query-string schema and the SQL condition for its value (`$n`). */
export interface Filter {
  schema: z.ZodType;
  where: (param: string) => string;
  description: string;
}

/** One list endpoint (and its CSV export) over a `reporting.*` view. */
export interface ListSpec {
  view: ReportingView;
  path: string;
  summary: string;
  /** Evaluated against a date (`reporting.<view>_as_of(date)`): overdue, days left. */
  asOf: boolean;
  key: string;
  keyType: SortType;
  /**
   * Sortable columns: only ones that never change for a row, so a cursor stays valid while events
   * arrive. `indexed`: an index of the read model gives this order with the key (the key itself, or
   * `(column, key)`), so a page is read in index order.
   */
  sorts: Record<string, { column: string; type: SortType; indexed?: boolean }>;
  defaultSort: string;
  defaultOrder: 'asc' | 'desc';
  filters: Record<string, Filter>;
  example: Record<string, unknown>;
  /** Who reads it: the reporting readers unless named. */
  roles?: readonly Role[];
  /** A column always equal to the caller's subject: the list is the caller's own (a reviewer's assignments). */
  ownColumn?: string;
}

/** A calendar date that exists (2024-02-30 does not): checked here, never left to `::date` in SQL. */
export const IsoDateParam = IsoDate.meta({ format: 'date' });
/** A text filter or id: one line, no control characters (PostgreSQL refuses U+0000 in a parameter). */
export const TextParam = queryText(200);
export const PositionParam = z
  .string()
  .regex(/^[0-9a-f]{16}-[0-9a-f]{16}$/, 'expected an event-store position as returned by a command')
  .meta({ description: 'Wait (bounded) until the projections have applied this position: read your own writes' });

const eq = (column: string, description: string): Filter => ({ schema: TextParam, where: (p) => `t.${column} = ${p}`, description });
const BoolParam = z.enum(['true', 'false']);
const bool = (sql: string, description: string): Filter => ({
  schema: BoolParam,
  where: (p) => `(${sql}) = (${p} = 'true')`,
  description,
});
export const filters = { eq, bool };

/** A cursor's key values, as the column types they are compared with in SQL. */
const cursorValue: Record<SortType, z.ZodType> = {
  text: queryText(2000),
  date: IsoDate,
  // Fen as the rows send it (FenSum): a safe JSON integer, or the exact digits of a bigint beyond.
  bigint: z.union([
    z.number().int().refine(Number.isSafeInteger, 'must be a safe integer'),
    z
      .string()
      .regex(/^-?\d{1,19}$/, 'must be an integer')
      .refine((v) => BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n, 'must fit a bigint'),
  ]),
  integer: z.number().int().min(-2147483648).max(2147483647),
};
const cursorSchema = (sort: SortType, key: SortType) =>
  z.strictObject({ s: z.string().max(100), o: z.enum(['asc', 'desc']), v: z.tuple([cursorValue[sort].nullable(), cursorValue[key]]), f: z.string().max(100) });

function fingerprint(values: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(Object.entries(values).sort())).digest('base64url').slice(0, 12);
}

export function todayOf(ctx: ReportingContext, asOf: string | undefined): string {
  return asOf ?? toShanghaiDate(ctx.clock().toISOString());
}

interface Query {
  subject?: string | undefined;
  sort: string;
  order: 'asc' | 'desc';
  limit: number;
  cursor?: string | undefined;
  asOf?: string | undefined;
  minPosition?: string | undefined;
  [filter: string]: unknown;
}

async function select(ctx: ReportingContext, db: SqlExecutor, spec: ListSpec, query: Query, limit: number) {
  const params: unknown[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  const today = todayOf(ctx, query.asOf);
  const source = spec.asOf ? `reporting.${spec.view}_as_of(${param(today)}::date) t` : `reporting.${spec.view} t`;
  const where: string[] = [];
  const active: Record<string, unknown> = { asOf: spec.asOf ? today : null };
  if (spec.ownColumn !== undefined) {
    if (query.subject === undefined) throw new Error(`${spec.path} is read by its own caller only`);
    where.push(`t.${spec.ownColumn} = ${param(query.subject)}`);
    active.own = query.subject;
  }
  for (const [name, filter] of Object.entries(spec.filters)) {
    const value = query[name];
    if (value === undefined) continue;
    active[name] = value;
    where.push(filter.where(param(value)));
  }
  const sort = spec.sorts[query.sort];
  if (sort === undefined) throw appError('VALIDATION_FAILED', `cannot sort by ${query.sort}`);
  const collate = (type: SortType) => (type === 'text' ? ' collate "C"' : '');
  const sortExpr = `t.${sort.column}${collate(sort.type)}`;
  const keyExpr = `t.${spec.key}${collate(spec.keyType)}`;
  const f = fingerprint(active);
  if (query.cursor !== undefined) {
    let cursor: { s: string; o: 'asc' | 'desc'; v: [unknown, unknown]; f: string };
    try {
      // The cursor comes back from the client: every value is checked as what SQL will cast it to.
      cursor = cursorSchema(sort.type, spec.keyType).parse(JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')));
    } catch {
      throw appError('VALIDATION_FAILED', 'the cursor is not one this API returned', { extra: { errors: [{ path: 'querystring.cursor', message: 'invalid cursor' }] } });
    }
    if (cursor.s !== query.sort || cursor.o !== query.order || cursor.f !== f) {
      throw appError('VALIDATION_FAILED', 'the cursor belongs to another sort order or other filters; start again without it', {
        extra: { errors: [{ path: 'querystring.cursor', message: 'cursor does not match the query' }] },
      });
    }
    const op = query.order === 'asc' ? '>' : '<';
    where.push(`(${sortExpr}, ${keyExpr}) ${op} (${param(cursor.v[0])}::${sort.type}${collate(sort.type)}, ${param(cursor.v[1])}::${spec.keyType}${collate(spec.keyType)})`);
  }
  const dir = query.order;
  const exact = exactRows(reportingColumns[spec.view]);
  // Read a page in the order of an index when there is one. Row-level security compares each row
  // with the reader's scope, a value the planner learns only when the query runs: it guesses that
  // 0.5 % of the rows pass, for the province as for a county, and so it would sort every row of a
  // province (0.9 s for the milestones of 120,000 projects) rather than stop after a page read in
  // index order (1 ms). Only for orders an index gives: elsewhere a sort is needed anyway, and
  // discouraging it picks worse joins. The setting ends with the read's transaction.
  if (sort.indexed === true) await db.query(`select set_config('enable_sort', 'off', true)`);
  // The page first, then its JSON: a row becomes JSON only once it is on the page (the province's
  // due items: 216 → 112 ms with 30,000 open items to sort).
  const order = `order by ${sortExpr} ${dir}, ${keyExpr} ${dir}`;
  const { rows } = await db.query<{ j: string }>(
    `select row_to_json(t)::text as j${exact.select}
       from (select t.* from ${source} ${where.length > 0 ? `where ${where.join(' and ')}` : ''} ${order} limit ${param(limit)}) t
      ${order}`,
    params,
  );
  const parsed = rows.map((r) => exact.read(r));
  return { rows: parsed, today, fingerprint: f, sort };
}

/*
 * The query parameters' schemas that every list has alike, made once and shared by all of them:
 * zod schemas are immutable, and each costs ~30 µs to build at every start (the lists built ~1,300).
 */
const OrderParam = { asc: z.enum(['asc', 'desc']).default('asc'), desc: z.enum(['asc', 'desc']).default('desc') };
const MinPositionParam = PositionParam.optional();
const AsOfParam = IsoDateParam.optional().meta({ description: 'Evaluate overdue and days left on this date instead of today' });
const PageLimitParam = z.coerce.number().int().min(1).max(500).default(50);
const ExportLimitParam = z.coerce.number().int().min(1).max(100_000).default(100_000);
const CursorParam = z.string().max(2000).optional();
/** A filter's optional, described schema: one per (schema, description), as most filters recur across the lists. */
const filterSchemas = new WeakMap<z.ZodType, Map<string, z.ZodType>>();
function filterSchema(filter: Filter): z.ZodType {
  let byDescription = filterSchemas.get(filter.schema);
  if (byDescription === undefined) filterSchemas.set(filter.schema, (byDescription = new Map()));
  let schema = byDescription.get(filter.description);
  if (schema === undefined) byDescription.set(filter.description, (schema = filter.schema.optional().meta({ description: filter.description })));
  return schema;
}

/** Registers `GET <path>` (JSON, keyset-paginated) and `GET /v1/exports/<view>.csv` for a list. */
export function registerList(app: HttpApp, ctx: ReportingContext, spec: ListSpec): void {
  const columns = reportingColumns[spec.view];
  const filterShape: Record<string, z.ZodType> = {};
  for (const [name, filter] of Object.entries(spec.filters)) filterShape[name] = filterSchema(filter);
  const common = {
    ...filterShape,
    sort: z.enum(Object.keys(spec.sorts) as [string, ...string[]]).default(spec.defaultSort),
    order: OrderParam[spec.defaultOrder],
    minPosition: MinPositionParam,
    ...(spec.asOf ? { asOf: AsOfParam } : {}),
  };
  const item = rowSchema(columns, spec.key, spec.example);

  app.get(
    spec.path,
    {
      config: { roles: spec.roles ?? readerRoles },
      schema: {
        tags: ['reporting'],
        summary: spec.summary,
        description: 'Keyset pagination: pass `nextCursor` back as `cursor` with the same filters and sort; pages stay stable while new events arrive.',
        querystring: z.strictObject({
          ...common,
          limit: PageLimitParam,
          cursor: CursorParam,
        }),
        response: { 200: z.object({ items: z.array(item), nextCursor: z.string().nullable(), asOf: z.string().nullable() }) },
      },
    },
    async (request, reply) => {
      const query = { ...(request.query as Query), subject: request.principal?.subject };
      await guardRead(ctx.gate, reply, viewProjections[spec.view], query.minPosition);
      const { rows, today, fingerprint: f, sort } = await scopedRead(ctx, callerBureau(request), (db) => select(ctx, db, spec, query, query.limit + 1));
      const page = rows.slice(0, query.limit);
      const last = page.at(-1);
      const nextCursor =
        rows.length > query.limit && last !== undefined
          ? Buffer.from(JSON.stringify({ s: query.sort, o: query.order, v: [last[sort.column], last[spec.key]], f })).toString('base64url')
          : null;
      return { items: page.map(camelRow), nextCursor, asOf: spec.asOf ? today : null };
    },
  );

  app.get(
    `/v1/reporting/exports/${spec.view.replace(/_/g, '-')}.csv`,
    {
      config: { roles: spec.roles ?? readerRoles },
      schema: {
        tags: ['exports'],
        summary: `${spec.summary} (CSV, UTF-8 with BOM; columns as in reporting.${spec.view})`,
        querystring: z.strictObject({ ...common, limit: ExportLimitParam }),
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const query = { ...(request.query as Query), subject: request.principal?.subject };
      await guardRead(ctx.gate, reply, viewProjections[spec.view], query.minPosition);
      const { rows } = await scopedRead(ctx, callerBureau(request), (db) => select(ctx, db, spec, query, query.limit));
      const exact = exactRows(columns);
      reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${spec.view}.csv"`);
      return toCsv(Object.keys(columns), rows.map((r) => exact.forCsv(r)));
    },
  );
}
