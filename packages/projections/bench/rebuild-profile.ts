/**
 * tsx packages/projections/bench/rebuild-profile.ts --url postgres://…/gg_rebuild_prof [--events N] [--runs R] [--page P] [--cache C] [--profile out.cpuprofile]
 *
 * For working on the rebuild: keeps its event log in the database named by --url (created and
 * filled with a province of N events on the first run, reused afterwards), then rebuilds every
 * read model R times, printing events/s and where the time went (time spent waiting for each kind
 * of statement). With --profile, the last rebuild (and only it) runs under the V8 CPU profiler.
 * Run it under the shared benchmark lock.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createSqlEventStore, START_POSITION } from '@gongguan/event-store';
import { createLogger } from '@gongguan/platform';
import { openPostgres, type Sql, type SqlExecutor } from '@gongguan/platform/db';
import { allProjections, ensureReadModels, rebuildProjections } from '../src/index.js';
import { loadProvince } from '../src/generate/load.js';

const { values } = parseArgs({ options: { url: { type: 'string' }, events: { type: 'string', default: '200000' }, runs: { type: 'string', default: '1' }, page: { type: 'string' }, cache: { type: 'string' }, profile: { type: 'string' } } });
if (!values.url) throw new Error('--url postgres://… of a database to keep the events in');
const url = new URL(values.url);
const admin = new pg.Client({ connectionString: new URL('/postgres', url).toString() });
await admin.connect();
const dbName = url.pathname.slice(1);
const exists = await admin.query('select 1 from pg_database where datname = $1', [dbName]);
if (exists.rowCount === 0) await admin.query(`create database ${pg.escapeIdentifier(dbName)}`);
await admin.end();

const base = openPostgres({ url: values.url, poolSize: 20 });
const waits = new Map<string, { n: number; ms: number }>();
const timed = (ex: SqlExecutor): SqlExecutor => ({
  async query(text, params, options) {
    const t = performance.now();
    try {
      return await ex.query(text, params, options);
    } finally {
      const key = text.replace(/\s+/g, ' ').trim().slice(0, 60);
      const w = waits.get(key) ?? { n: 0, ms: 0 };
      w.n++;
      w.ms += performance.now() - t;
      waits.set(key, w);
    }
  },
  exec: (text) => ex.exec(text),
});
const sql: Sql = { ...base, ...timed(base), transaction: (fn) => base.transaction((tx) => fn(timed(tx))) };
const store = await createSqlEventStore({ sql: base });
const logger = createLogger({ level: 'warn' });
/** Heap in use; after a full collection when node runs with --expose-gc. */
const heapMiB = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
};
try {
  if ((await store.headPosition()) === START_POSITION) {
    const n = Number(values.events);
    const loaded = await loadProvince(store, { projects: Math.ceil(n / 20), maxEvents: n, seed: 42 }, { concurrency: 16 });
    console.log(`generated ${loaded.events} events`);
  }
  await ensureReadModels(base, allProjections);
  const runs = Number(values.runs);
  for (let run = 1; run <= runs; run++) {
    waits.clear();
    const profiling = values.profile !== undefined && run === runs;
    const session = profiling ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: 200 });
      await session.post('Profiler.start');
    }
    const t = performance.now();
    const phases: string[] = [];
    let phase = '';
    const result = await rebuildProjections({
      sql,
      store,
      projections: allProjections,
      logger,
      ...(values.page ? { pageSize: Number(values.page) } : {}),
      ...(values.cache ? { cacheRows: Number(values.cache) } : {}),
      onProgress: (p) => {
        if (p.phase !== phase) phases.push(`${(phase = p.phase)} at ${((performance.now() - t) / 1000).toFixed(2)} s (heap ${heapMiB()} MiB)`);
      },
    });
    const seconds = (performance.now() - t) / 1000;
    console.log(`  phases: ${phases.join(', ')}; row cache ${JSON.stringify(result.rowCache)}`);
    if (session) {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(values.profile ?? '', JSON.stringify(profile));
      session.disconnect();
    }
    console.log(`run ${run}: ${Math.round(result.events / seconds)} events/s (${result.events} events, ${seconds.toFixed(2)} s)`);
    for (const [key, w] of [...waits].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) console.log(`  ${w.ms.toFixed(0).padStart(7)} ms ${String(w.n).padStart(6)}×  ${key}`);
  }
} finally {
  await store.close();
  await base.close();
}
