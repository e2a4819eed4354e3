/**
 * `tsx scripts/bench/growth.bench.ts` (run by `pnpm bench`): how cost grows with the size of the
 * log, on PostgreSQL (a fresh database beside BENCH_DATABASE_URL, dropped after).
 *
 * 1. Command latency with 10,000 and with 1,000,000 events already stored (BENCH_QUICK=1:
 *    100,000), in two databases side by side. The filler is appended straight through the event
 *    store (`createSqlEventStore`), in batches of 500 to streams `bench-filler-<n>` of type
 *    `BenchFillerRecorded`: valid store events but not domain events, in streams the benchmark's
 *    commands never read (they only read their own project streams; the R2 re-driver's
 *    subscription filters them out by type). On each database a lifecycle API is started and a
 *    programme with projects in publicity is set up over HTTP; then objections are lodged with 1
 *    and 16 clients, in slices that alternate between the two (so the machine's drift over the
 *    minutes of the run falls on both sizes alike).
 * 2. Projection rebuild time against event count: a generated province (domain-valid events from
 *    the deciders, `loadProvince`) of N and then 4N events, `rebuildProjections` of every
 *    projection after each.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createLogger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { allProjections, createSqlEventStore, ensureReadModels, loadProvince, rebuildProjections } from '@gongguan/projector/tools';
import type { EventStore, EventToAppend } from '@gongguan/event-store';
import { startCpuMeter } from './cpu.js';
import { closedLoop, percentile, type Target } from './load.js';
import { cast, createStorage, OBJECTION, projectsInPublicity, startServer, type Server } from './system.js';

const QUICK = process.env.BENCH_QUICK === '1';
const SIZES = QUICK ? [10_000, 100_000] : [10_000, 1_000_000];
const PROJECTS = QUICK ? 64 : 128;
/** Each size is measured in ROUNDS slices of SLICE_MS per client count, alternating with the other size. */
const ROUNDS = QUICK ? 4 : 8;
const SLICE_MS = QUICK ? 750 : 1_000;
const REBUILD_SIZES = QUICK ? [5_000, 20_000] : [25_000, 100_000];

export interface GrowthPoint {
  eventsStored: number;
  fillSeconds: number;
  runs: Array<{ clients: number; perSecond: number; p50: number; p99: number; serverCpuMs: number; postgresCpuMs: number | null }>;
}

export interface RebuildPoint {
  events: number;
  loadSeconds: number;
  seconds: number;
  eventsPerSecond: number;
}

export interface GrowthResults {
  quick: boolean;
  growth: GrowthPoint[];
  rebuild: RebuildPoint[] | { skipped: string };
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const FILLER_DATA = { projectId: 'filler', note: '现场检查：样机测试按计划推进，无异常 — filler event for the growth benchmark', amountFen: '12345600', currency: 'CNY', at: '2019-03-04T10:00:00+08:00' };

function fillerBatch(n: number): EventToAppend[] {
  return Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    type: 'BenchFillerRecorded',
    schemaVersion: 1,
    data: { ...FILLER_DATA, line: i },
    metadata: { actorId: 'bench', actorRole: 'officer', correlationId: randomUUID() },
  }));
}

/** Appends `count` filler events, batches of 500 to new streams, 8 writers. */
async function fill(store: EventStore, count: number, from: number): Promise<void> {
  const BATCH = 500;
  let done = 0;
  let stream = from;
  let lastReport = performance.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (done < count) {
        const n = Math.min(BATCH, count - done);
        done += n;
        await store.append(`bench-filler-${stream++}`, fillerBatch(n), { expectedRevision: 'no_stream' });
        if (performance.now() - lastReport > 5000) {
          lastReport = performance.now();
          log(`  filled ${done} / ${count}`);
        }
      }
    }),
  );
}

async function countEvents(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ n: string }>('select count(*)::text as n from event_store.events');
  return Number(rows[0]?.n ?? 0);
}

interface Prepared {
  size: number;
  stored: number;
  fillSeconds: number;
  server: Server;
  pg: { sql: Sql; database: string };
  target: (client: number) => Target;
  close(): Promise<void>;
}

/** A database of its own holding `size` events, with the lifecycle API started on it and projects in publicity. */
async function prepare(size: number, index: number): Promise<Prepared> {
  const storage = await createStorage('postgres');
  const database = storage.database!;
  const sql = await database.open();
  const store = await createSqlEventStore({ sql, logger: createLogger({ level: 'silent' }) });
  let server: Server | undefined;
  try {
    const started = performance.now();
    await fill(store, size, 0);
    // As autovacuum would have by then: fresh statistics and visibility map for the big table.
    await sql.exec('vacuum analyze event_store.events');
    const fillSeconds = (performance.now() - started) / 1000;
    const stored = await countEvents(sql);
    log(`growth: ${stored} events stored (filled in ${fillSeconds.toFixed(1)} s)`);
    const running = await startServer(storage);
    server = running;
    const people = await cast(running);
    const ids = await projectsInPublicity(running, people, `tz-growth-${index}`, PROJECTS, 16);
    const tokens = await Promise.all(Array.from({ length: 16 }, (_, i) => running.token('officer', `officer-${i + 1}`)));
    let next = 0;
    const target = (c: number): Target => ({ method: 'POST', path: `/v1/projects/${ids[next++ % ids.length]!}/objections`, token: tokens[c % tokens.length]!, body: OBJECTION });
    await closedLoop(running.url, 16, 1500, target);
    return {
      size,
      stored,
      fillSeconds,
      server: running,
      pg: { sql, database: new URL(database.url!).pathname.slice(1) },
      target,
      async close() {
        await running.close();
        await store.close();
        await sql.close();
        await storage.dispose();
      },
    };
  } catch (err) {
    await server?.close();
    await store.close();
    await sql.close();
    await storage.dispose();
    throw err;
  }
}

/**
 * Both sizes are prepared side by side, each on its own database and server, and then measured in
 * alternating slices (small, large, large, small, …): a shared machine's load drifts over minutes,
 * and measuring one size after the other would put that drift into the ratio.
 */
async function growth(): Promise<GrowthPoint[]> {
  const prepared: Prepared[] = [];
  try {
    for (const [index, size] of SIZES.entries()) prepared.push(await prepare(size, index));
    const runs = prepared.map((): GrowthPoint['runs'] => []);
    for (const clients of [1, 16]) {
      const acc = prepared.map(() => ({ latencies: [] as number[], ok: 0, seconds: 0, serverMs: 0, postgresMs: 0 as number | null }));
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? prepared.map((_, i) => i) : prepared.map((_, i) => prepared.length - 1 - i);
        for (const i of order) {
          const p = prepared[i]!;
          const meter = await startCpuMeter(p.server.cpuMs, p.pg);
          const r = await closedLoop(p.server.url, clients, SLICE_MS, p.target);
          const cpu = await meter.stop();
          const a = acc[i]!;
          for (const l of r.latencies) a.latencies.push(l);
          a.ok += r.ok;
          a.seconds += r.seconds;
          a.serverMs += cpu.serverMs;
          a.postgresMs = a.postgresMs === null || cpu.postgresMs === null ? null : a.postgresMs + cpu.postgresMs;
          if (Object.keys(r.failed).length) log(`growth: ${p.stored} events, ${clients} clients: failed ${JSON.stringify(r.failed)} ${r.firstFailure ?? ''}`);
        }
      }
      acc.forEach((a, i) => {
        const sorted = Float64Array.from(a.latencies).sort();
        const run = { clients, perSecond: a.ok / a.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99), serverCpuMs: a.serverMs / a.ok, postgresCpuMs: a.postgresMs === null ? null : a.postgresMs / a.ok };
        runs[i]!.push(run);
        log(`growth: ${prepared[i]!.stored} events, ${clients} clients: ${Math.round(run.perSecond)} commands/s, p50 ${run.p50.toFixed(1)} ms, p99 ${run.p99.toFixed(1)} ms`);
      });
    }
    return prepared.map((p, i) => ({ eventsStored: p.stored, fillSeconds: p.fillSeconds, runs: runs[i]! }));
  } finally {
    for (const p of prepared) await p.close();
  }
}

async function rebuild(): Promise<RebuildPoint[]> {
  const storage = await createStorage('postgres');
  const sql = await storage.database!.open();
  const logger = createLogger({ level: 'silent' });
  const store = await createSqlEventStore({ sql, logger });
  const points: RebuildPoint[] = [];
  try {
    await ensureReadModels(sql, allProjections);
    let loaded = 0;
    for (const [index, size] of REBUILD_SIZES.entries()) {
      const started = performance.now();
      // A second province beside the first (its own id prefix) brings the log to the next size.
      const result = await loadProvince(store, { projects: 1_000_000, maxEvents: size - loaded, seed: 20180717 + index, idPrefix: `g${index}-` }, { concurrency: 16 });
      loaded += result.events;
      const loadSeconds = (performance.now() - started) / 1000;
      await sql.exec('vacuum analyze event_store.events');
      const r = await rebuildProjections({ sql, store, projections: allProjections, logger });
      points.push({ events: r.events, loadSeconds, seconds: r.seconds, eventsPerSecond: r.events / r.seconds });
      log(`rebuild: ${r.events} events (loaded in ${loadSeconds.toFixed(1)} s) rebuilt in ${r.seconds.toFixed(1)} s: ${Math.round(r.events / r.seconds)} events/s`);
    }
  } finally {
    await store.close();
    await sql.close();
    await storage.dispose();
  }
  return points;
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

export function markdown(results: GrowthResults): string {
  const lines = ['| events stored | clients | commands/s | p50 ms | p99 ms | server CPU ms/command | PostgreSQL CPU ms/command |', '|---:|---:|---:|---:|---:|---:|---:|'];
  for (const g of results.growth) {
    for (const r of g.runs) lines.push(`| ${fmt(g.eventsStored)} | ${r.clients} | ${fmt(r.perSecond)} | ${fmt(r.p50, 1)} | ${fmt(r.p99, 1)} | ${fmt(r.serverCpuMs, 2)} | ${r.postgresCpuMs === null ? '–' : fmt(r.postgresCpuMs, 2)} |`);
  }
  lines.push('');
  if (Array.isArray(results.rebuild)) {
    lines.push('| events in the log | rebuild of every projection, s | events/s |', '|---:|---:|---:|');
    for (const r of results.rebuild) lines.push(`| ${fmt(r.events)} | ${fmt(r.seconds, 1)} | ${fmt(r.eventsPerSecond)} |`);
  } else {
    lines.push(`Rebuild: skipped — ${results.rebuild.skipped}`);
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const growthPoints = await growth();
  let rebuildPoints: GrowthResults['rebuild'];
  try {
    rebuildPoints = await rebuild();
  } catch (err) {
    rebuildPoints = { skipped: `rebuildProjections failed: ${err instanceof Error ? err.message : String(err)}` };
    log(`rebuild skipped: ${rebuildPoints.skipped}`);
  }
  const results: GrowthResults = { quick: QUICK, growth: growthPoints, rebuild: rebuildPoints };
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 2));
  console.log(markdown(results));
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
