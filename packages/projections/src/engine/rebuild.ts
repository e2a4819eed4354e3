import { START_POSITION, type EventStore, type Position, type ReadAllResult } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import type { Sql, SqlExecutor } from '@gongguan/platform/db';
import type { Projection } from '../projection.js';
import { installReportingViews } from '../reporting/install.js';
import { flushRowCache, planProjection, type PlannedBatch } from './apply.js';
import { createGeneration, lockCatalogue, schemaName } from './catalog.js';
import { failureText, parseEnvelope, type ParsedEnvelope } from './parse.js';
import { RowCache } from './row-cache.js';
import { indexDdl } from '../table.js';
import { announceProgress } from './progress.js';

export interface RebuildProgress {
  projections: string[];
  events: number;
  position: string;
  eventsPerSecond: number;
  elapsedSeconds: number;
  phase: 'building' | 'indexing' | 'swapping' | 'done';
}

export interface RebuildOptions {
  sql: Sql;
  store: EventStore;
  projections: readonly Projection[];
  logger: Logger;
  /** Events per read and per transaction; default 5000. */
  pageSize?: number;
  /**
   * Rows kept in memory across batches (those the rebuild changed last), so that later batches
   * need not read them back, and written when they leave the cache or once caught up rather than
   * by every batch that changes them; default 100,000; 0 reads and writes every row a batch needs.
   */
  cacheRows?: number;
  /** Called after every batch (and at the end); progress is also logged every few seconds. */
  onProgress?: (progress: RebuildProgress) => void | Promise<void>;
  /** Keep the replaced generation's schema (to compare it with the new one); default false. */
  keepOld?: boolean;
  signal?: AbortSignal;
}

export interface RebuildResult {
  generations: Record<string, { from: number; to: number }>;
  events: number;
  seconds: number;
  position: string;
  /** Rows the handlers read from the row cache (hits, including rows known not to exist) and rows that had to be read from the database (misses). */
  rowCache: { hits: number; misses: number };
}

/**
 * Rebuilds projections from the first event into new tables (a new generation each), reading the
 * log once for all of them, and swaps them in when caught up: in one transaction that holds the
 * projections' catalogue rows, so the live projector cannot commit meanwhile, the catalogue and
 * the `reporting.*` views switch to the new generation. Readers see the old tables until then.
 * An event the new code cannot apply abandons the rebuild; the old generation stays.
 */
export async function rebuildProjections(options: RebuildOptions): Promise<RebuildResult> {
  const { sql, store, projections } = options;
  const logger = options.logger.child({ component: 'rebuild' });
  const names = projections.map((p) => p.name);
  const pageSize = options.pageSize ?? 5000;

  const fetchPage = (after: Position) => {
    const page = store.readAll({ after, limit: pageSize }).then((p) => ({ ...p, parsed: p.events.map(parseEnvelope) }));
    page.catch(() => undefined);
    return page;
  };
  // The first page is read while the new generations are set up.
  const first = fetchPage(START_POSITION);
  const generations = await sql.transaction(async (tx) => {
    await lockCatalogue(tx);
    const result = new Map<string, number>();
    for (const projection of projections) {
      // An unfinished earlier rebuild of the same projection is superseded by this one.
      const { rows: stale } = await tx.query<{ generation: number }>(
        `update projector.generations set state = 'abandoned', finished_at = now(), error = 'superseded by a newer rebuild'
          where name = $1 and state = 'building' returning generation`,
        [projection.name],
      );
      for (const { generation } of stale) await tx.exec(`drop schema if exists ${schemaName(projection.name, generation)} cascade`);
      const { rows } = await tx.query<{ next: number }>(
        'select coalesce(max(generation), 0) + 1 as next from projector.generations where name = $1',
        [projection.name],
      );
      const generation = rows[0]?.next ?? 1;
      const schema = await createGeneration(tx, projection, generation, false);
      await tx.query(
        `insert into projector.generations (name, generation, version, schema_name, state, position) values ($1, $2, $3, $4, 'building', $5)`,
        [projection.name, generation, projection.version, schema, START_POSITION],
      );
      result.set(projection.name, generation);
    }
    return result;
  });
  const schemaOf = (p: Projection) => schemaName(p.name, generations.get(p.name) ?? 0);
  // Nothing but this rebuild reads or writes the new generations' tables before the swap.
  const cacheRows = options.cacheRows ?? 100_000;
  const caches = new Map(projections.map((p) => [p.name, cacheRows > 0 ? new RowCache(p.tables, cacheRows) : undefined]));
  logger.info({ projections: names, generations: Object.fromEntries(generations) }, 'rebuild started');

  const started = performance.now();
  let position: Position = START_POSITION;
  let events = 0;
  let lastLog = started;
  const progress = (phase: RebuildProgress['phase']): RebuildProgress => {
    const elapsedSeconds = (performance.now() - started) / 1000;
    return { projections: names, events, position, eventsPerSecond: Math.round(events / Math.max(elapsedSeconds, 1e-3)), elapsedSeconds, phase };
  };
  // Three stages: while the database writes one page, the handlers run over the next (the row
  // caches hold what they need; a row they must read waits for the writes before it), and the one
  // after that is read and parsed.
  let writing: Promise<void> = Promise.resolve();
  const reader: SqlExecutor = {
    async query(text, params, queryOptions) {
      await writing;
      return sql.query(text, params, queryOptions);
    },
    async exec(text) {
      await writing;
      await sql.exec(text);
    },
  };
  // The session's time zone decides how timestamps read back look; the cache needs to know it.
  let zone = '';
  const write = (plans: readonly PlannedBatch[], to: Position, count: number) =>
    sql.transaction(async (tx) => {
      // A crash of the database may lose these commits; the rebuild is then simply started again.
      const { rows: settings } = await tx.query<{ tz: string }>(
        sql.kind === 'postgres'
          ? `select set_config('synchronous_commit', 'off', true), current_setting('TimeZone') as tz`
          : `select current_setting('TimeZone') as tz`,
      );
      for (const plan of plans) await plan.write(tx);
      await tx.query(
        `update projector.generations set position = $3, events = events + $4 where name = any($1::text[]) and generation = any($2::int[])`,
        [names, names.map((n) => generations.get(n)), to, count],
      );
      zone = settings[0]?.tz ?? zone;
    });
  try {
    zone = (await sql.query<{ tz: string }>(`select current_setting('TimeZone') as tz`)).rows[0]?.tz ?? '';
    let next: ReturnType<typeof fetchPage> | undefined = first;
    let indexed = false;
    for (;;) {
      if (options.signal?.aborted) throw new Error('rebuild cancelled');
      const page: ReadAllResult & { parsed: ParsedEnvelope[] } = await (next ?? fetchPage(position));
      next = page.caughtUp ? undefined : fetchPage(page.position);
      if (page.events.length > 0) {
        const plans: PlannedBatch[] = [];
        for (const projection of projections) {
          const cache = caches.get(projection.name);
          cache?.setTimeZone(zone);
          // Without a cache every row comes from the database, so each page waits for the writes of the one before.
          const planned = await planProjection(reader, projection, schemaOf(projection), page.parsed, cache);
          if (planned.result.failure) throw new Error(failureText(projection.name, planned.result.failure));
          plans.push(planned);
        }
        await writing;
        writing = write(plans, page.position, page.events.length);
        writing.catch(() => undefined);
        events += page.events.length;
      }
      position = page.position;
      const now = performance.now();
      if (now - lastLog > 2000) {
        lastLog = now;
        const p = progress('building');
        logger.info({ events: p.events, eventsPerSecond: p.eventsPerSecond, position }, 'rebuilding');
      }
      await options.onProgress?.(progress('building'));
      if (!page.caughtUp) continue;
      await writing;
      if (!indexed) await options.onProgress?.(progress('indexing'));
      // The rows the caches still hold unwritten go to the tables, then (the first time) the
      // indexes are built: each projection on its own connection, its tables side by side.
      await settled(
        projections.map(async (projection) => {
          const cache = caches.get(projection.name);
          if (cache !== undefined) {
            await sql.transaction(async (tx) => {
              if (sql.kind === 'postgres') await tx.query('set local synchronous_commit = off');
              await flushRowCache(tx, projection, schemaOf(projection), cache);
            });
          }
          if (!indexed) await settled(projection.tables.map((def) => indexDdl(schemaOf(projection), def)).filter((ddl) => ddl !== '').map((ddl) => sql.exec(ddl)));
        }),
      );
      indexed = true;
      await options.onProgress?.(progress('swapping'));
      if (await trySwap(sql, projections, generations, position, options.keepOld ?? false, logger)) break;
      next = undefined;
    }
  } catch (err) {
    await writing.catch(() => undefined);
    await sql.query(
      `update projector.generations set state = 'abandoned', finished_at = now(), error = $3
        where name = any($1::text[]) and generation = any($2::int[]) and state = 'building'`,
      [names, names.map((n) => generations.get(n)), err instanceof Error ? err.message : String(err)],
    );
    for (const projection of projections) await sql.exec(`drop schema if exists ${schemaOf(projection)} cascade`);
    logger.error({ err }, 'rebuild abandoned; readers keep the current generation');
    throw err;
  }
  const done = progress('done');
  await options.onProgress?.(done);
  const cached = [...caches.values()].map((c) => ({ hits: c?.hits ?? 0, misses: c?.misses ?? 0 }));
  const rowCache = { hits: cached.reduce((n, c) => n + c.hits, 0), misses: cached.reduce((n, c) => n + c.misses, 0) };
  logger.info({ events, eventsPerSecond: done.eventsPerSecond, seconds: done.elapsedSeconds, position, rowCache }, 'rebuild swapped in');
  return { generations: Object.fromEntries(names.map((n) => [n, { from: 0, to: generations.get(n) ?? 0 }])), events, seconds: done.elapsedSeconds, position, rowCache };
}

/** Waits for every promise, then fails with the first failure, so that nothing still runs when the caller cleans up. */
async function settled(promises: ReadonlyArray<Promise<unknown>>): Promise<void> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
}

/**
 * Swaps the new generations in if they are at least as far as every live checkpoint; otherwise
 * the live projector moved on meanwhile, and the caller catches up once more.
 */
async function trySwap(
  sql: Sql,
  projections: readonly Projection[],
  generations: Map<string, number>,
  position: string,
  keepOld: boolean,
  logger: Logger,
): Promise<boolean> {
  const names = projections.map((p) => p.name);
  const retired = await sql.transaction(async (tx) => {
    await lockCatalogue(tx);
    const { rows } = await tx.query<{ name: string; generation: number; position: string }>(
      `select name, generation, position from projector.projections order by name for update`,
    );
    if (rows.some((r) => r.position > position)) return undefined;
    const old: string[] = [];
    for (const projection of projections) {
      const generation = generations.get(projection.name) ?? 0;
      const current = rows.find((r) => r.name === projection.name);
      if (current) {
        old.push(schemaName(projection.name, current.generation));
        await tx.query(`update projector.generations set state = 'retired', finished_at = now() where name = $1 and generation = $2`, [
          projection.name,
          current.generation,
        ]);
      }
      await tx.query(`update projector.generations set state = 'live', finished_at = now() where name = $1 and generation = $2`, [
        projection.name,
        generation,
      ]);
      await tx.query(
        `insert into projector.projections (name, generation, version, position, status) values ($1, $2, $3, $4, 'live')
         on conflict (name) do update set generation = excluded.generation, version = excluded.version, position = excluded.position,
           status = 'live', error = null, events_applied = 0, updated_at = now()`,
        [projection.name, generation, projection.version, position],
      );
    }
    await installReportingViews(tx);
    return old;
  });
  if (retired === undefined) {
    logger.info({ projections: names, position }, 'the live projector is ahead of the rebuild; catching up once more');
    return false;
  }
  await announceProgress(sql, position, logger);
  if (!keepOld) for (const schema of retired) await sql.exec(`drop schema if exists ${schema} cascade`);
  return true;
}
