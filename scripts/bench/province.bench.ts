/**
 * `tsx scripts/bench/province.bench.ts` (run by `pnpm bench`): one province, many bureaus (issue 18),
 * on PostgreSQL (fresh databases beside BENCH_DATABASE_URL, dropped after).
 *
 * 1. A generated province (`pnpm seed --province`'s shape: all of Zhejiang registered, 11 cities
 *    and 90 counties running programmes over 2016–2025) of BENCH_PROVINCE_PROJECTS projects
 *    (default 12,000, about 0.4 million events; BENCH_QUICK=1: 3,000; the full size is 120,000,
 *    over 3 million events), loaded through `loadProvince` (the seed's path), then every read
 *    model rebuilt (`rebuildProjections`).
 * 2. Reporting reads through reporting-api, with a reporter's token of one county (331002 椒江) and
 *    one of the province (330000): list pages, the portfolio, the quarterly and annual reports.
 *    Each query sequentially (1 client), alternating the two tokens, p50/p99 against the budgets.
 *    The token's bureau is what scopes the reads (row-level security, once the reporting API reads
 *    as gongguan_scoped); nothing here changes when it does.
 * 3. Command throughput with bureaus against one bureau, in the same run: (a) a fresh database, no
 *    registry, one programme of the default bureau and tokens without a bureau claim (as
 *    `bench:http`: objections on projects in publicity); (b) the province's database (its
 *    registry of 102 bureaus and all its events), programmes of eight bureaus (cities and
 *    counties), each client a token of one of them. Both lifecycle APIs run side by side and are
 *    measured in alternating slices (a, b, b, a, …), so the machine's drift falls on both.
 */
import { writeFileSync } from 'node:fs';
import { createLogger } from '@gongguan/platform';
import { allProjections, createSqlEventStore, ensureReadModels, fullProvince, loadProvince, rebuildProjections } from '@gongguan/projector/tools';
import { startCpuMeter } from './cpu.js';
import { closedLoop, percentile, type Target } from './load.js';
import { cast, createStorage, OBJECTION, projectsInPublicity, startServer, type Server, type Storage } from './system.js';

const QUICK = process.env.BENCH_QUICK === '1';
export const FULL_PROJECTS = fullProvince.projects;
const PROJECTS = Number(process.env.BENCH_PROVINCE_PROJECTS ?? (QUICK ? 3_000 : 12_000));
const READS = QUICK ? 20 : 50;
const SLICE_MS = QUICK ? 750 : 1_000;
const ROUNDS = QUICK ? 4 : 8;
const CLIENTS = [16, 64];
/** The bureaus whose programmes the commands of (b) go to: cities and counties, in four cities. */
const COMMAND_BUREAUS = ['331000', '331002', '331081', '330100', '330106', '330300', '330383', '331127'];
const PROJECTS_PER_BUREAU = 32;

/** Reporting budgets (p99, ms), one request at a time: a page or a report a person waits for. */
export const BUDGETS = { list: 100, report: 500 } as const;
const QUERIES: Array<{ name: string; path: string; kind: keyof typeof BUDGETS }> = [
  { name: 'projects, first page of 50', path: '/v1/reporting/projects?limit=50', kind: 'list' },
  { name: 'due and overdue, first page of 50', path: '/v1/reporting/due?limit=50', kind: 'list' },
  { name: 'portfolio', path: '/v1/reporting/portfolio', kind: 'report' },
  { name: 'quarterly report, 2024 Q4', path: '/v1/reporting/quarterly?year=2024&quarter=4', kind: 'report' },
  { name: 'annual summary, 2024', path: '/v1/reporting/annual?year=2024', kind: 'report' },
];
const SCOPES = [
  { name: 'county 331002 (椒江区)', bureau: '331002' },
  { name: 'province 330000 (浙江省)', bureau: '330000' },
];

export interface ProvinceResults {
  quick: boolean;
  projects: number;
  fullProjects: number;
  events: number;
  loadSeconds: number;
  rebuildSeconds: number;
  reads: Array<{ scope: string; bureau: string; query: string; path: string; kind: keyof typeof BUDGETS; budgetMs: number; n: number; p50: number; p99: number; max: number; rows: number | null }>;
  commands: Array<{ clients: number; single: { perSecond: number; p50: number; p99: number }; bureaus: { perSecond: number; p50: number; p99: number }; ratio: number }>;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function loadAndBuild(storage: Storage): Promise<Pick<ProvinceResults, 'events' | 'loadSeconds' | 'rebuildSeconds'>> {
  const sql = await storage.database!.open();
  const logger = createLogger({ level: 'silent' });
  const store = await createSqlEventStore({ sql, logger });
  try {
    const started = performance.now();
    let lastReport = started;
    const loaded = await loadProvince(store, { ...fullProvince, projects: PROJECTS, seed: 20180717 }, {
      concurrency: 16,
      onProgress: (p) => {
        if (performance.now() - lastReport < 10_000) return;
        lastReport = performance.now();
        log(`province: ${p.events} events loaded (${Math.round(p.events / ((lastReport - started) / 1000))}/s)`);
      },
    });
    const loadSeconds = (performance.now() - started) / 1000;
    log(`province: ${loaded.projects} projects, ${loaded.events} events loaded in ${loadSeconds.toFixed(1)} s`);
    await sql.exec('vacuum analyze event_store.events');
    await ensureReadModels(sql, allProjections);
    const rebuilt = await rebuildProjections({ sql, store, projections: allProjections, logger });
    log(`province: read models rebuilt in ${rebuilt.seconds.toFixed(1)} s`);
    return { events: loaded.events, loadSeconds, rebuildSeconds: rebuilt.seconds };
  } finally {
    await store.close();
    await sql.close();
  }
}

async function reads(storage: Storage): Promise<ProvinceResults['reads']> {
  const server = await startServer(storage, [], {}, undefined, 'reporting-server.ts');
  try {
    const tokens = await Promise.all(SCOPES.map((s) => server.token('reporter', `bench-reporter-${s.bureau}`, s.bureau)));
    const out: ProvinceResults['reads'] = [];
    for (const q of QUERIES) {
      const latencies = SCOPES.map(() => [] as number[]);
      const rows: Array<number | null> = SCOPES.map(() => null);
      // Warm once each, then alternate the scopes request by request.
      for (let i = -1; i < READS; i++) {
        for (const [s, token] of tokens.entries()) {
          const t0 = performance.now();
          const response = await fetch(new URL(q.path, server.url), { headers: { authorization: `Bearer ${token}` } });
          const body = await response.text();
          const ms = performance.now() - t0;
          if (response.status !== 200) throw new Error(`GET ${q.path} as ${SCOPES[s]!.bureau} → ${response.status} ${body.slice(0, 300)}`);
          if (i < 0) {
            const parsed = JSON.parse(body) as { items?: unknown[]; data?: unknown[] };
            rows[s] = (parsed.items ?? parsed.data)?.length ?? null;
            continue;
          }
          latencies[s]!.push(ms);
        }
      }
      SCOPES.forEach((scope, s) => {
        const sorted = Float64Array.from(latencies[s]!).sort();
        const r = { scope: scope.name, bureau: scope.bureau, query: q.name, path: q.path, kind: q.kind, budgetMs: BUDGETS[q.kind], n: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? Number.NaN, rows: rows[s]! };
        out.push(r);
        log(`reads: ${scope.name}, ${q.name}: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`);
      });
    }
    return out;
  } finally {
    await server.close();
  }
}

interface Side {
  server: Server;
  target: (client: number) => Target;
  pg: { sql: Awaited<ReturnType<NonNullable<Storage['database']>['open']>>; database: string };
}

/**
 * The lifecycle API's R2 re-driver follows the store from the start on a database it has not seen:
 * through every contract payment of the province. Measured while it does, the commands would share
 * the machine with that catch-up, which a deployment does once. Waits until its checkpoint stands still.
 */
async function redriverCaughtUp(sql: Side['pg']['sql']): Promise<void> {
  const started = performance.now();
  let last: string | undefined;
  let still = 0;
  while (performance.now() - started < 15 * 60_000) {
    await new Promise((r) => setTimeout(r, 1000));
    const { rows } = await sql.query<{ position: string }>("select position from lifecycle.process_checkpoints where process = 'r2-assessment'").catch(() => ({ rows: [] as Array<{ position: string }> }));
    const position = rows[0]?.position;
    still = position !== undefined && position === last ? still + 1 : 0;
    last = position;
    if (still >= 3) {
      log(`commands: the R2 re-driver caught up with the province in ${((performance.now() - started) / 1000).toFixed(0)} s`);
      return;
    }
  }
  log('commands: the R2 re-driver did not catch up within 15 minutes; measuring anyway');
}

async function side(storage: Storage, bureaus: readonly (string | undefined)[], province = false): Promise<Side> {
  const server = await startServer(storage);
  const targets: Array<{ ids: string[]; token: string; next: number }> = [];
  for (const bureau of bureaus) {
    const people = await cast(server, bureau);
    const ids = await projectsInPublicity(server, people, `bench-${bureau ?? 'single'}`, (PROJECTS_PER_BUREAU * COMMAND_BUREAUS.length) / bureaus.length, 16);
    targets.push({ ids, token: people.alice, next: 0 });
  }
  // Round-robin over each bureau's projects (its own counter), so no two clients contend on one stream.
  const target = (c: number): Target => {
    const t = targets[c % targets.length]!;
    return { method: 'POST', path: `/v1/projects/${t.ids[t.next++ % t.ids.length]!}/objections`, token: t.token, body: OBJECTION };
  };
  const sql = await storage.database!.open();
  if (province) await redriverCaughtUp(sql);
  await closedLoop(server.url, 16, 1500, target);
  return { server, target, pg: { sql, database: new URL(storage.database!.url!).pathname.slice(1) } };
}

async function commands(province: Storage): Promise<ProvinceResults['commands']> {
  const single = await createStorage('postgres');
  const sides: Side[] = [];
  try {
    sides.push(await side(single, [undefined]));
    sides.push(await side(province, COMMAND_BUREAUS, true));
    const out: ProvinceResults['commands'] = [];
    for (const clients of CLIENTS) {
      const acc = sides.map(() => ({ latencies: [] as number[], ok: 0, seconds: 0 }));
      for (let round = 0; round < ROUNDS; round++) {
        for (const i of round % 2 === 0 ? [0, 1] : [1, 0]) {
          const s = sides[i]!;
          const meter = await startCpuMeter(s.server.cpuMs, s.pg);
          const r = await closedLoop(s.server.url, clients, SLICE_MS, s.target);
          await meter.stop();
          if (Object.keys(r.failed).length) log(`commands: ${i === 0 ? 'one bureau' : 'bureaus'}, ${clients} clients: failed ${JSON.stringify(r.failed)} ${r.firstFailure ?? ''}`);
          const a = acc[i]!;
          for (const l of r.latencies) a.latencies.push(l);
          a.ok += r.ok;
          a.seconds += r.seconds;
        }
      }
      const [a, b] = acc.map((x) => {
        const sorted = Float64Array.from(x.latencies).sort();
        return { perSecond: x.ok / x.seconds, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
      }) as [ProvinceResults['commands'][number]['single'], ProvinceResults['commands'][number]['single']];
      out.push({ clients, single: a, bureaus: b, ratio: b.perSecond / a.perSecond });
      log(`commands, ${clients} clients: one bureau ${Math.round(a.perSecond)}/s, bureaus ${Math.round(b.perSecond)}/s, ratio ${(b.perSecond / a.perSecond).toFixed(3)}`);
    }
    return out;
  } finally {
    for (const s of sides) {
      await s.server.close();
      await s.pg.sql.close();
    }
    await single.dispose();
  }
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

export function markdown(r: ProvinceResults): string {
  const lines = [
    `${fmt(r.projects)} projects${r.projects === r.fullProjects ? ' (the full size)' : ` (the full size, \`BENCH_PROVINCE_PROJECTS=${r.fullProjects}\`, is ${fmt(r.fullProjects)})`}: ${fmt(r.events)} events, loaded in ${fmt(r.loadSeconds, 1)} s (${fmt(r.events / r.loadSeconds)} events/s), read models rebuilt in ${fmt(r.rebuildSeconds, 1)} s.`,
    '',
    '| token of | query | p50 ms | p99 ms | max ms | budget (p99) | rows on the page |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...r.reads.map((x) => `| ${x.scope} | ${x.query} | ${fmt(x.p50, 1)} | ${fmt(x.p99, 1)} | ${fmt(x.max, 1)} | ${x.budgetMs} ms ${x.p99 <= x.budgetMs ? '(met)' : '(**missed**)'} | ${x.rows ?? '–'} |`),
    '',
    '| clients | one bureau: commands/s (p50, p99 ms) | eight bureaus in the province: commands/s (p50, p99 ms) | ratio |',
    '|---:|---:|---:|---:|',
    ...r.commands.map((c) => `| ${c.clients} | ${fmt(c.single.perSecond)} (${fmt(c.single.p50, 1)}, ${fmt(c.single.p99, 1)}) | ${fmt(c.bureaus.perSecond)} (${fmt(c.bureaus.p50, 1)}, ${fmt(c.bureaus.p99, 1)}) | ${c.ratio.toFixed(3)} |`),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const storage = await createStorage('postgres');
  try {
    const built = await loadAndBuild(storage);
    const readResults = await reads(storage);
    const commandResults = await commands(storage);
    const results: ProvinceResults = { quick: QUICK, projects: PROJECTS, fullProjects: FULL_PROJECTS, ...built, reads: readResults, commands: commandResults };
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 2));
    console.log(markdown(results));
  } finally {
    await storage.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
