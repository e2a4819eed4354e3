/**
 * `pnpm bench:http`: commands per second through the lifecycle API over real HTTP, closed loop
 * with 1, 16 and 64 clients and open loop at a fixed offered rate, on PostgreSQL (a fresh database
 * beside BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres, dropped after)
 * and on the embedded default (PGlite in a temp dir), with the raw-SQL baseline of the same run:
 * single-row INSERT commits into a plain table with 8 connections on the same database.
 *
 * The server runs in a child process of its own (scripts/bench/server.ts), like a deployed
 * lifecycle-api; this process is the load generator. The command is `POST /v1/projects/{id}/objections`
 * (an objection lodged during publicity: load the project's stream, decide, append one event),
 * spread round-robin over many projects so that clients do not contend on one stream.
 *
 * BENCH_QUICK=1 shortens every phase; BENCH_KINDS=postgres or pglite runs one; BENCH_OUT=file
 * writes the results as JSON; BENCH_PROFILE=1 adds a short profiled run (V8 CPU profile) on
 * PostgreSQL (BENCH_PROFILE_KIND=pglite: on the embedded default) and prints its top frames;
 * BENCH_SERVER_NODE_ARGS adds Node options to the server process only (e.g. --max-semi-space-size=32).
 */
import { statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres, type Sql } from '@gongguan/platform/db';
import { startCpuMeter, type CpuSample } from './cpu.js';
import { arrive, closedLoop, openLoop, percentile, type RunResult } from './load.js';
import { analyse, type Frame } from './profile.js';
import { FSYNC_STALL_MS, slowDuringStalls, startStallProbe, TIMER_STALL_MS, type ProbeSummary } from './stall-probe.js';
import { cast, createStorage, OBJECTION, projectsInPublicity, startServer, type Kind, type Server, type Storage } from './system.js';

const QUICK = process.env.BENCH_QUICK === '1';
const KINDS = (process.env.BENCH_KINDS ?? 'postgres,pglite').split(',').map((k) => k.trim()).filter((k): k is Kind => k === 'postgres' || k === 'pglite');
const CLIENTS = [1, 16, 64];
const CLOSED_MS = QUICK ? 3_000 : 8_000;
const WARMUP_MS = QUICK ? 1_500 : 3_000;
/** At least 60 s measured (issue 21): a machine's stalls come every few tens of seconds, and a shorter run may miss or catch one by luck. */
const OPEN_MS = Number(process.env.BENCH_OPEN_MS ?? (QUICK ? 5_000 : 60_000));
const OPEN_RATE = Number(process.env.BENCH_OPEN_RATE ?? 1000);
/** Sent at the offered rate before the measured stretch, unmeasured: sockets opened, the server in its stride after the closed loops. */
const OPEN_LEAD_IN_MS = 1_000;
const RAW_MS = QUICK ? 2_000 : 5_000;
const RAW_CONNECTIONS = 8;
/** The open loop's p99 goal: slower requests are set beside the stall probe's stalls. */
const SLOW_MS = 15;
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? (QUICK ? 256 : 1024));

export interface Latency {
  p50: number;
  p99: number;
  max: number;
}

export interface CpuPerCommand {
  serverMs: number;
  postgresMs: number | null;
  loadGeneratorMs: number;
  /** Commands/s the measured CPU cost would allow on all cores of this machine, if nothing else ran. */
  ceilingPerSecond: number;
}

export interface ClosedResult extends Latency {
  clients: number;
  perSecond: number;
  commands: number;
  failed: Record<string, number>;
  firstFailure?: string;
  cpu: CpuPerCommand;
}

export interface OpenResult extends Latency {
  offered: number;
  /** Answered 2xx per second of the arrival schedule. */
  achieved: number;
  sent: number;
  /** Unanswered 5 s after the last arrival: abandoned, their wait so far counted as latency. */
  timedOut: number;
  failed: Record<string, number>;
  firstFailure?: string;
  /** Length of the arrival schedule. */
  seconds: number;
  /** What the machine did meanwhile (scripts/bench/stall-probe.ts), and how many slow requests it explains. */
  machine: Omit<ProbeSummary, 'stalls'> & { stalls: { timer: number; fsync: number }; slowOver: number; slow: number; slowDuringStall: number; sameDiskAsDatabase: boolean | null };
}

export interface RawResult {
  connections: number;
  /** One measurement before and one after the HTTP runs; `perSecond` is their mean. */
  before: number;
  after: number;
  perSecond: number;
  /** Single-row commits at the open loop's offered rate, Poisson arrivals, with the stall probe's fsync meanwhile. */
  open?: Latency & { offered: number; perSecond: number; fsync: ProbeSummary['fsync']; fsyncStalls: number };
}

export interface KindResult {
  kind: Kind;
  version: string;
  projects: number;
  setup: { commands: number; seconds: number };
  closed: ClosedResult[];
  open: OpenResult;
  raw?: RawResult;
  /** Events per project stream when the runs began and when they ended. */
  streamLength: { start: number; end: number };
}

export interface HttpResults {
  quick: boolean;
  durations: { closedMs: number; openMs: number; rawMs: number };
  kinds: KindResult[];
  profile?: { file: string; clients: number; perSecond: number; packages: Array<{ name: string; selfPct: number }>; frames: Frame[]; byTotal: Frame[]; idlePct: number; components: Array<{ name: string; totalPct: number }> };
}

const latency = (r: RunResult): Latency => ({ p50: percentile(r.latencies, 50), p99: percentile(r.latencies, 99), max: percentile(r.latencies, 100) });
const cores = cpus().length;

function perCommand(cpu: CpuSample, commands: number): CpuPerCommand {
  const serverMs = cpu.serverMs / commands;
  const postgresMs = cpu.postgresMs === null ? null : cpu.postgresMs / commands;
  const loadGeneratorMs = cpu.loadMs / commands;
  const total = serverMs + (postgresMs ?? 0) + loadGeneratorMs;
  return { serverMs, postgresMs, loadGeneratorMs, ceilingPerSecond: (cores * 1000) / total };
}

const RAW_TABLE = 'create table if not exists bench_raw_commits (seq bigserial primary key, stream text not null, data json not null, recorded_at timestamptz not null default now())';
const RAW_INSERT = 'insert into bench_raw_commits (stream, data) values ($1, $2)';
const RAW_ROW = JSON.stringify({ projectId: 'tz-p0001', objectionId: '9b2f4c2e-0a57-4d0e-9a53-1f7f8b0c1d2e', lodgedOn: '2018-07-04', summary: 'Applicant overstated its patents' });

/** Single-row INSERTs, each its own commit (autocommit), from `connections` loops on a pool of as many. */
async function rawCommits(url: string, connections: number, ms: number): Promise<number> {
  const sql = openPostgres({ url, poolSize: connections, applicationName: 'bench-raw' });
  try {
    await sql.exec(RAW_TABLE);
    let count = 0;
    const started = performance.now();
    const deadline = started + ms;
    await Promise.all(
      Array.from({ length: connections }, async (_, c) => {
        while (performance.now() < deadline) {
          await sql.query(RAW_INSERT, [`raw-${c}`, RAW_ROW]);
          count++;
        }
      }),
    );
    return count / ((performance.now() - started) / 1000);
  } finally {
    await sql.close();
  }
}

/**
 * The open loop's floor: single-row INSERT commits arriving at `rate` a second (Poisson, as the
 * HTTP open loop), each on a free connection of a pool of `connections`, latency from the
 * scheduled arrival — what this database and disk give a commit, with no application in between.
 */
async function rawOpenLoop(url: string, rate: number, ms: number, connections = 32): Promise<Latency & { perSecond: number }> {
  const sql = openPostgres({ url, poolSize: connections, applicationName: 'bench-raw-open' });
  try {
    await sql.exec(RAW_TABLE);
    const latencies: number[] = [];
    let firstError: unknown;
    const measureFrom = performance.now() + OPEN_LEAD_IN_MS;
    const { inFlight } = await arrive(rate, OPEN_LEAD_IN_MS + ms, 'poisson', (scheduled) =>
      sql.query(RAW_INSERT, ['raw-open', RAW_ROW]).then(
        () => void (scheduled >= measureFrom && latencies.push(performance.now() - scheduled)),
        (err: unknown) => void (firstError ??= err),
      ),
    );
    await Promise.all(inFlight);
    if (firstError) throw firstError;
    const sorted = Float64Array.from(latencies).sort();
    return { perSecond: latencies.length / (ms / 1000), p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: percentile(sorted, 100) };
  } finally {
    await sql.close();
  }
}

interface Phase {
  server: Server;
  ids: string[];
  tokens: string[];
  next: number;
}

const target = (phase: Phase, client: number) => ({
  method: 'POST' as const,
  path: `/v1/projects/${phase.ids[phase.next++ % phase.ids.length]!}/objections`,
  token: phase.tokens[client % phase.tokens.length]!,
  body: OBJECTION,
});

/** Whether `dir` is on the device that holds the database's data directory (null: cannot tell, e.g. a remote server). */
async function sameDisk(sql: Sql, dir: string): Promise<boolean | null> {
  try {
    const { rows } = await sql.query<{ d: string }>('select current_setting($1) as d', ['data_directory']);
    return statSync(rows[0]!.d).dev === statSync(dir).dev;
  } catch {
    return null;
  }
}

export function machineLine(m: OpenResult['machine']): string {
  const disk = m.sameDiskAsDatabase === null ? '' : m.sameDiskAsDatabase ? ', on the database\'s disk' : ', not on the database\'s disk';
  return (
    `meanwhile a 4 KiB write + fdatasync every 20 ms (${m.dir}${disk}) took p50 ${fmt(m.fsync.p50Ms, 1)} ms, p99 ${fmt(m.fsync.p99Ms, 1)} ms, max ${fmt(m.fsync.maxMs, 1)} ms, ` +
    `and a 2 ms timer in an idle process fired up to ${fmt(m.timer.maxLateMs, 1)} ms late (p99 ${fmt(m.timer.p99LateMs, 1)} ms); ` +
    `of the ${fmt(m.slow)} requests slower than ${m.slowOver} ms, ${fmt(m.slowDuringStall)} were in flight while one of these probes was held (fsync over ${FSYNC_STALL_MS} ms: ${fmt(m.stalls.fsync)} times; timer over ${TIMER_STALL_MS} ms late: ${fmt(m.stalls.timer)} times)`
  );
}

async function officerTokens(server: Server, n: number): Promise<string[]> {
  return Promise.all(Array.from({ length: n }, (_, i) => server.token('officer', `officer-${String(i + 1).padStart(2, '0')}`)));
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function runKind(kind: Kind): Promise<KindResult> {
  const storage = await createStorage(kind);
  let server: Server | undefined;
  let watcher: Sql | undefined;
  try {
    const dbUrl = storage.database?.url;
    const rawBefore = dbUrl ? await rawCommits(dbUrl, RAW_CONNECTIONS, RAW_MS) : undefined;
    if (rawBefore !== undefined) log(`${kind}: raw single-row commits, ${RAW_CONNECTIONS} connections: ${Math.round(rawBefore)}/s`);
    server = await startServer(storage);
    const people = await cast(server);
    const setupStarted = performance.now();
    const projects = kind === 'pglite' ? Math.min(PROJECTS, 512) : PROJECTS;
    const ids = await projectsInPublicity(server, people, 'tz-bench', projects, 16);
    const setupSeconds = (performance.now() - setupStarted) / 1000;
    log(`${kind}: ${projects} projects in publicity in ${setupSeconds.toFixed(1)} s`);
    const phase: Phase = { server, ids, tokens: await officerTokens(server, 16), next: 0 };
    watcher = dbUrl ? openPostgres({ url: dbUrl, poolSize: 1, applicationName: 'bench-watch' }) : undefined;
    const pg = watcher && dbUrl ? { sql: watcher, database: new URL(dbUrl).pathname.slice(1) } : undefined;
    const version = kind === 'postgres' && watcher
      ? ((await watcher.query<{ v: string }>('select version() as v')).rows[0]?.v ?? '?').split(' on ')[0]!
      : 'PGlite (embedded)';

    await closedLoop(server.url, 16, WARMUP_MS, (c) => target(phase, c));
    const startLength = 5 + phase.next / ids.length;
    const closed: ClosedResult[] = [];
    for (const clients of CLIENTS) {
      const meter = await startCpuMeter(server.cpuMs, pg);
      const r = await closedLoop(server.url, clients, CLOSED_MS, (c) => target(phase, c));
      const cpu = perCommand(await meter.stop(), r.ok);
      closed.push({ clients, perSecond: r.perSecond, commands: r.ok, ...latency(r), failed: r.failed, ...(r.firstFailure ? { firstFailure: r.firstFailure } : {}), cpu });
      log(`${kind}: ${clients} clients: ${Math.round(r.perSecond)} commands/s, p50 ${percentile(r.latencies, 50).toFixed(1)} ms, p99 ${percentile(r.latencies, 99).toFixed(1)} ms, CPU/command server ${cpu.serverMs.toFixed(2)} ms, PostgreSQL ${cpu.postgresMs?.toFixed(2) ?? '-'} ms${Object.keys(r.failed).length ? `, failed ${JSON.stringify(r.failed)} ${r.firstFailure ?? ''}` : ''}`);
    }
    const probeDir = tmpdir();
    const probe = await startStallProbe(probeDir);
    const o = await openLoop(server.url, OPEN_RATE, OPEN_MS, (i) => target(phase, i), { leadInMs: OPEN_LEAD_IN_MS });
    const { stalls, ...seen } = await probe.stop();
    const explained = slowDuringStalls(o.requests, stalls, SLOW_MS);
    const machine: OpenResult['machine'] = {
      ...seen,
      stalls: { timer: stalls.filter((x) => x.probe === 'timer').length, fsync: stalls.filter((x) => x.probe === 'fsync').length },
      slowOver: SLOW_MS,
      slow: explained.slow,
      slowDuringStall: explained.duringStall,
      sameDiskAsDatabase: watcher ? await sameDisk(watcher, probeDir) : null,
    };
    const open: OpenResult = { offered: OPEN_RATE, achieved: o.perSecond, sent: o.sent, timedOut: o.timedOut, seconds: OPEN_MS / 1000, ...latency(o), failed: o.failed, ...(o.firstFailure ? { firstFailure: o.firstFailure } : {}), machine };
    log(`${kind}: open loop ${OPEN_RATE}/s offered: ${Math.round(o.perSecond)}/s answered, ${o.timedOut} abandoned, p50 ${open.p50.toFixed(1)} ms, p99 ${open.p99.toFixed(1)} ms; ${machineLine(machine)}`);
    const endLength = 5 + phase.next / ids.length;
    await server.close();
    server = undefined;
    const rawAfter = dbUrl ? await rawCommits(dbUrl, RAW_CONNECTIONS, RAW_MS) : undefined;
    if (rawAfter !== undefined) log(`${kind}: raw single-row commits after: ${Math.round(rawAfter)}/s`);
    let rawOpen: RawResult['open'];
    if (dbUrl) {
      const rawProbe = await startStallProbe(probeDir);
      const r = await rawOpenLoop(dbUrl, OPEN_RATE, OPEN_MS);
      const { stalls: rawStalls, ...rawSeen } = await rawProbe.stop();
      rawOpen = { offered: OPEN_RATE, ...r, fsync: rawSeen.fsync, fsyncStalls: rawStalls.filter((x) => x.probe === 'fsync').length };
      log(`${kind}: raw single-row commits, ${OPEN_RATE}/s offered (open loop): p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms; probe fsync max ${rawSeen.fsync.maxMs.toFixed(1)} ms`);
    }
    return {
      kind,
      version,
      projects,
      setup: { commands: projects * 5 + 2, seconds: setupSeconds },
      closed,
      open,
      ...(rawBefore !== undefined && rawAfter !== undefined ? { raw: { connections: RAW_CONNECTIONS, before: rawBefore, after: rawAfter, perSecond: (rawBefore + rawAfter) / 2, ...(rawOpen ? { open: rawOpen } : {}) } } : {}),
      streamLength: { start: startLength, end: endLength },
    };
  } finally {
    await watcher?.close();
    await server?.close();
    await storage.dispose();
  }
}

/** A short profiled run of the server (V8 CPU profile of the measured stretch only), 16 clients, on PostgreSQL (BENCH_PROFILE_KIND=pglite: embedded). */
async function profileRun(): Promise<NonNullable<HttpResults['profile']>> {
  const storage: Storage = await createStorage(process.env.BENCH_PROFILE_KIND === 'pglite' ? 'pglite' : 'postgres');
  try {
    const server = await startServer(storage);
    const people = await cast(server);
    const ids = await projectsInPublicity(server, people, 'tz-prof', QUICK ? 128 : 256, 16);
    const phase: Phase = { server, ids, tokens: await officerTokens(server, 16), next: 0 };
    await closedLoop(server.url, 16, WARMUP_MS, (c) => target(phase, c));
    const file = join(tmpdir(), `gongguan-bench-server-${Date.now()}.cpuprofile`);
    await server.startProfile();
    const r = await closedLoop(server.url, 16, QUICK ? 4000 : 8000, (c) => target(phase, c));
    await server.stopProfile(file);
    await server.close();
    return { file, clients: 16, perSecond: r.perSecond, ...analyse(file, 25) };
  } finally {
    await storage.dispose();
  }
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

export function markdown(results: HttpResults): string {
  const lines: string[] = [];
  for (const k of results.kinds) {
    lines.push(`### ${k.kind === 'postgres' ? k.version : 'Embedded: PGlite in a temp dir'}`, '');
    lines.push(`${k.projects} projects in publicity (set up over HTTP: ${k.setup.commands} commands in ${fmt(k.setup.seconds, 1)} s); project streams held ${fmt(k.streamLength.start)}–${fmt(k.streamLength.end)} events during the runs.`, '');
    lines.push('| clients | commands/s | p50 ms | p99 ms | CPU ms/command: server | PostgreSQL | load generator | CPU ceiling, commands/s |', '|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const c of k.closed) {
      lines.push(`| ${c.clients} | ${fmt(c.perSecond)} | ${fmt(c.p50, 1)} | ${fmt(c.p99, 1)} | ${fmt(c.cpu.serverMs, 2)} | ${c.cpu.postgresMs === null ? 'in server' : fmt(c.cpu.postgresMs, 2)} | ${fmt(c.cpu.loadGeneratorMs, 2)} | ${fmt(c.cpu.ceilingPerSecond)} |`);
    }
    lines.push('', `Open loop, ${fmt(k.open.offered)} commands/s offered (Poisson arrivals, ${fmt(k.open.seconds, 1)} s measured after a ${fmt(OPEN_LEAD_IN_MS / 1000)} s lead-in at the same rate, latency from the scheduled arrival): ${fmt(k.open.achieved)}/s answered${k.open.timedOut ? `, ${fmt(k.open.timedOut)} of ${fmt(k.open.sent)} still unanswered 5 s after the last arrival (abandoned; their wait so far counts as their latency, so the percentiles are lower bounds)` : ''}, p50 ${fmt(k.open.p50, 1)} ms, p99 ${fmt(k.open.p99, 1)} ms, max ${fmt(k.open.max, 1)} ms. The machine, ${machineLine(k.open.machine)}.`);
    if (k.raw) lines.push('', `Raw SQL, single-row INSERT commits into a plain table, ${k.raw.connections} connections: ${fmt(k.raw.before)}/s before the HTTP runs, ${fmt(k.raw.after)}/s after (mean ${fmt(k.raw.perSecond)}/s).`);
    if (k.raw?.open) lines.push('', `Raw SQL open loop, the floor for the open loop's latency: the same single-row INSERT commits arriving at ${fmt(k.raw.open.offered)}/s (Poisson, ${fmt(results.durations.openMs / 1000)} s after the same lead-in, a pool of 32 connections, latency from the scheduled arrival), after the HTTP runs: p50 ${fmt(k.raw.open.p50, 1)} ms, p99 ${fmt(k.raw.open.p99, 1)} ms, max ${fmt(k.raw.open.max, 1)} ms; meanwhile the fsync probe took p99 ${fmt(k.raw.open.fsync.p99Ms, 1)} ms, max ${fmt(k.raw.open.fsync.maxMs, 1)} ms (over ${FSYNC_STALL_MS} ms ${fmt(k.raw.open.fsyncStalls)} times).`);
    const failures = [...k.closed.filter((c) => Object.keys(c.failed).length > 0).map((c) => `${c.clients} clients: ${JSON.stringify(c.failed)} ${c.firstFailure ?? ''}`), ...(Object.keys(k.open.failed).length ? [`open loop: ${JSON.stringify(k.open.failed)} ${k.open.firstFailure ?? ''}`] : [])];
    if (failures.length) lines.push('', `Failed requests: ${failures.join('; ')}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const kinds: KindResult[] = [];
  for (const kind of KINDS) kinds.push(await runKind(kind));
  const results: HttpResults = { quick: QUICK, durations: { closedMs: CLOSED_MS, openMs: OPEN_MS, rawMs: RAW_MS }, kinds };
  if (process.env.BENCH_PROFILE === '1') {
    results.profile = await profileRun();
    log(`profile (16 clients, ${Math.round(results.profile.perSecond)} commands/s under the profiler): ${results.profile.file}`);
  }
  if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(results, null, 2));
  console.log(markdown(results));
  if (results.profile) {
    console.log('Server CPU profile, self time by package:\n');
    for (const p of results.profile.packages) console.log(`- ${p.selfPct}% ${p.name}`);
    console.log('\nTop frames by self time (self / total):\n');
    for (const f of results.profile.frames) console.log(`- ${f.selfPct}% / ${f.totalPct}% ${f.frame}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
