/**
 * `pnpm bench:start`: how fast `pnpm start` answers and how much memory it holds, read from
 * outside the process, as a newcomer runs it: the real `pnpm start` in this checkout, on the
 * production defaults (no Gongguan setting in its environment but DATA_DIR and PORT), embedded PGlite.
 *
 * - fresh: a new empty DATA_DIR, spawn → first 200 from /healthz (polled every 10 ms); then
 *   the idle RSS of the server process and of the whole tree (pnpm, and what runs below it) after
 *   BENCH_IDLE_MS (default 10 s); SIGTERM, wait for the tree to end.
 * - existing: the same again on that data directory (a restart).
 * - BENCH_START_RUNS (default 5) pairs; medians and maxima.
 * - commands: one more server on a fresh directory; 64 projects taken to publicity over HTTP, then
 *   BENCH_COMMANDS (default 10,000) objections from 16 officers (the rate limit counts per person:
 *   16 × the default 3,000 a minute), then the RSS after the idle wait again.
 * - baselines in the same run: `node` answering HTTP from a one-line server (the floor of any Node
 *   start on this machine), and the all-in-one's TypeScript run through tsx as `pnpm start` did
 *   before it was compiled (`node --import tsx scripts/start.ts`), on existing data.
 * - the first start of a checkout: a fresh directory with no template yet (PGLITE_TEMPLATE_CACHE
 *   pointed at an empty directory), so initdb runs, once, in a child process.
 *
 * The build (scripts/build.mjs) is made before the first measured start, unmeasured: the goals
 * are about starting, not compiling. Prints a table and, last, one JSON line (BENCH_OUT=file too).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevKeys, readPrivateJwk, signToken } from '@gongguan/platform';
import { client, percentile } from './load.js';
import { OBJECTION, projectsInPublicity, storyDaysFrom } from './system.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const RUNS = Number(process.env.BENCH_START_RUNS ?? 5);
const IDLE_MS = Number(process.env.BENCH_IDLE_MS ?? 10_000);
const COMMANDS = Number(process.env.BENCH_COMMANDS ?? 10_000);
const OFFICERS = 16;

function progress(message: string): void {
  process.stderr.write(`[bench:start] ${message}\n`);
}

/** The environment without any Gongguan setting: the production defaults, as a newcomer has them. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const settings = /^(GONGGUAN_|AUDIT_|RATE_LIMIT_|REPORTING_|PROJECTOR_|AGGREGATE_|IDEMPOTENCY_|LIFECYCLE_|DATABASE_|EVENTSTORE_|EVENT_STORE_|JWKS_|JWT_|HEAP_|SHUTDOWN_|REQUEST_|BODY_|PGLITE_|CONSOLE_|OIDC_|NODE_OPTIONS$|NODE_V8_COVERAGE$|DATA_DIR$|HOST$|PORT$|LOG_LEVEL$|SERVICE_NAME$)/;
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !settings.test(k))), ...extra };
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Kilobytes of resident memory of a process, from /proc (0 when it is gone). */
function rssKb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

function children(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function tree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) all.push(...children(all[i]!));
  return all;
}

function command(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

interface Memory {
  serverMb: number;
  treeMb: number;
  processes: Array<{ command: string; mb: number }>;
}

/** The server is the process running the launcher (or the entry); the tree is everything from the spawned pid down. */
function memory(top: number): Memory {
  const pids = tree(top);
  const processes = pids.map((pid) => ({ pid, command: command(pid), mb: rssKb(pid) / 1024 }));
  const server = processes.find((p) => /launch\.mjs|scripts\/start\.ts/.test(p.command) && !/^(\S*\/)?(sh|bash)\b/.test(p.command)) ?? processes[processes.length - 1]!;
  return { serverMb: server.mb, treeMb: processes.reduce((a, p) => a + p.mb, 0), processes: processes.map(({ command, mb }) => ({ command: command.slice(0, 100), mb })) };
}

interface Started {
  child: ChildProcess;
  port: number;
  ms: number;
  output(): string;
}

async function start(cmd: string, args: string[], env: NodeJS.ProcessEnv, port: number): Promise<Started> {
  let out = '';
  const began = performance.now();
  const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  for (;;) {
    if (exited) throw new Error(`${cmd} ${args.join(' ')} exited before answering:\n${out}`);
    if (performance.now() - began > 120_000) throw new Error(`no answer within 120 s:\n${out}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  return { child, port, ms: performance.now() - began, output: () => out };
}

async function stop(s: Started): Promise<void> {
  const pids = tree(s.child.pid!);
  const exited = new Promise<void>((r) => (s.child.exitCode !== null || s.child.signalCode !== null ? r() : s.child.once('exit', () => r())));
  s.child.kill('SIGTERM');
  await exited;
  const until = Date.now() + 20_000;
  while (pids.some((p) => rssKb(p) > 0) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
}

/** Bytes of the files under `dir`. */
function du(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, e.name);
    total += e.isDirectory() ? du(path) : statSync(path).size;
  }
  return total;
}

/** The server's own view (its /metrics), in MB: V8's heap and the memory outside it (PGlite's WebAssembly memory is most of that). */
async function insideMemory(url: URL): Promise<Record<string, number>> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const read = (name: string) => Number(new RegExp(`^gongguan_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) / 2 ** 20;
  return { heapUsedMb: read('nodejs_heap_size_used_bytes'), heapTotalMb: read('nodejs_heap_size_total_bytes'), externalMb: read('nodejs_external_memory_bytes') };
}

const idle = () => new Promise((r) => setTimeout(r, IDLE_MS));
const median = (xs: number[]) => percentile(Float64Array.from(xs).sort(), 50);
const max = (xs: number[]) => Math.max(...xs);

async function pnpmStart(dataDir: string, extra: Record<string, string> = {}): Promise<Started> {
  const port = await freePort();
  return start('pnpm', ['start'], cleanEnv({ DATA_DIR: dataDir, PORT: String(port), ...extra }), port);
}

export interface StartResults {
  runs: number;
  idleMs: number;
  fresh: { ms: number[]; serverMb: number[]; treeMb: number[] };
  existing: { ms: number[]; serverMb: number[]; treeMb: number[] };
  firstOfCheckout: { ms: number; serverMb: number };
  commands: { count: number; seconds: number; dataDirMbBefore: number; dataDirMbAfter: number; serverMb: number; treeMb: number; afterIdleServerMb: number; afterIdleTreeMb: number; p99Ms: number; inside?: Record<string, number> };
  baselines: { nodeHttpMs: number[]; tsxExistingMs: number[]; tsxExistingServerMb: number[] };
  tree: Array<{ command: string; mb: number }>;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gongguan-bench-start-'));
  try {
    progress('building (scripts/build.mjs), unmeasured');
    const built = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, encoding: 'utf8' });
    if (built.status !== 0) throw new Error(`build failed: ${built.stderr}`);
    // The template for fresh directories, made once per checkout, unmeasured (measured apart below).
    const warm = await pnpmStart(join(work, 'warm'));
    await stop(warm);

    const results: StartResults = {
      runs: RUNS,
      idleMs: IDLE_MS,
      fresh: { ms: [], serverMb: [], treeMb: [] },
      existing: { ms: [], serverMb: [], treeMb: [] },
      firstOfCheckout: { ms: 0, serverMb: 0 },
      commands: { count: COMMANDS, seconds: 0, dataDirMbBefore: 0, dataDirMbAfter: 0, serverMb: 0, treeMb: 0, afterIdleServerMb: 0, afterIdleTreeMb: 0, p99Ms: 0 },
      baselines: { nodeHttpMs: [], tsxExistingMs: [], tsxExistingServerMb: [] },
      tree: [],
    };
    for (let i = 0; i < RUNS; i++) {
      const dataDir = join(work, `run-${i}`);
      const fresh = await pnpmStart(dataDir);
      await idle();
      const m1 = memory(fresh.child.pid!);
      results.tree = m1.processes;
      await stop(fresh);
      const again = await pnpmStart(dataDir);
      await idle();
      const m2 = memory(again.child.pid!);
      await stop(again);
      results.fresh.ms.push(fresh.ms);
      results.fresh.serverMb.push(m1.serverMb);
      results.fresh.treeMb.push(m1.treeMb);
      results.existing.ms.push(again.ms);
      results.existing.serverMb.push(m2.serverMb);
      results.existing.treeMb.push(m2.treeMb);
      progress(`run ${i + 1}/${RUNS}: fresh ${Math.round(fresh.ms)} ms, ${Math.round(m1.serverMb)} MB (tree ${Math.round(m1.treeMb)} MB); existing ${Math.round(again.ms)} ms, ${Math.round(m2.serverMb)} MB (tree ${Math.round(m2.treeMb)} MB)`);

      // Baselines, interleaved with the runs so the machine's drift falls on both.
      const port = await freePort();
      const node = await start(process.execPath, ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1')`], cleanEnv({}), port);
      results.baselines.nodeHttpMs.push(node.ms);
      await stop(node);
      if (i < 3) {
        const tsxPort = await freePort();
        const tsx = await start(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], cleanEnv({ DATA_DIR: dataDir, PORT: String(tsxPort) }), tsxPort);
        await idle();
        results.baselines.tsxExistingMs.push(tsx.ms);
        results.baselines.tsxExistingServerMb.push(memory(tsx.child.pid!).serverMb);
        await stop(tsx);
      }
      rmSync(dataDir, { recursive: true, force: true });
    }

    progress('the first start of a checkout: no template yet');
    const first = await pnpmStart(join(work, 'first'), { PGLITE_TEMPLATE_CACHE: join(work, 'empty-template-cache') });
    await idle();
    results.firstOfCheckout = { ms: first.ms, serverMb: memory(first.child.pid!).serverMb };
    await stop(first);

    progress(`${COMMANDS} commands through one server`);
    const dataDir = join(work, 'commands');
    const server = await pnpmStart(dataDir);
    const jwk = readPrivateJwk((await ensureDevKeys(dataDir)).privateJwk);
    const people = {
      alice: await signToken(jwk, { subject: 'alice', roles: ['officer'] }),
      bob: await signToken(jwk, { subject: 'bob', roles: ['officer'] }),
      chen: await signToken(jwk, { subject: 'expert-chen', roles: ['reviewer'] }),
    };
    const url = new URL(`http://127.0.0.1:${server.port}`);
    // The server's days are China's (Asia/Shanghai), whatever this machine's zone.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const projects = await projectsInPublicity({ url, setClock: async () => {} }, people, 'bench-start', 64, 8, storyDaysFrom(today));
    const officers = await Promise.all(Array.from({ length: OFFICERS }, (_, i) => signToken(jwk, { subject: `officer-${i + 1}`, roles: ['officer'] })));
    const body = Buffer.from(JSON.stringify({ ...(JSON.parse(OBJECTION.toString()) as object), lodgedOn: today }));
    const before = du(join(dataDir, 'pglite')) / 2 ** 20;
    const via = client(url, OFFICERS);
    const latencies: number[] = [];
    let next = 0;
    const began = performance.now();
    await Promise.all(
      officers.map(async (token) => {
        while (next < COMMANDS) {
          const i = next++;
          const t0 = performance.now();
          const reply = await via.send({ method: 'POST', path: `/v1/projects/${projects[i % projects.length]}/objections`, token, body });
          latencies.push(performance.now() - t0);
          if (reply.status !== 201 && reply.status !== 200) throw new Error(`objection ${i}: ${reply.status} ${reply.body}`);
          if (i % 2000 === 0) progress(`  ${i} commands`);
        }
      }),
    );
    via.destroy();
    const seconds = (performance.now() - began) / 1000;
    const right = memory(server.child.pid!);
    await idle();
    const after = memory(server.child.pid!);
    results.commands.inside = await insideMemory(url);
    await stop(server);
    const dataAfter = du(join(dataDir, 'pglite')) / 2 ** 20;
    results.commands = { ...results.commands, count: COMMANDS, seconds, dataDirMbBefore: before, dataDirMbAfter: dataAfter, serverMb: right.serverMb, treeMb: right.treeMb, afterIdleServerMb: after.serverMb, afterIdleTreeMb: after.treeMb, p99Ms: percentile(Float64Array.from(latencies).sort(), 99) };

    const f = results.fresh;
    const e = results.existing;
    const r = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(`\n| measure (pnpm start, embedded, ${RUNS} runs) | median | max | goal |`);
    console.log('|---|---:|---:|---|');
    console.log(`| fresh data directory → /healthz | ${r(median(f.ms))} ms | ${r(max(f.ms))} ms | ≤ 3,000 ms |`);
    console.log(`| existing data → /healthz | ${r(median(e.ms))} ms | ${r(max(e.ms))} ms | ≤ 2,000 ms |`);
    console.log(`| idle RSS of the server after a first start | ${r(median(f.serverMb))} MB | ${r(max(f.serverMb))} MB | ≤ 300 MB |`);
    console.log(`| idle RSS of the server after a restart | ${r(median(e.serverMb))} MB | ${r(max(e.serverMb))} MB | ≤ 300 MB |`);
    console.log(`| idle RSS of the process tree (pnpm and the server) | ${r(median([...f.treeMb, ...e.treeMb]))} MB | ${r(max([...f.treeMb, ...e.treeMb]))} MB | |`);
    console.log(`| RSS after ${r(COMMANDS)} commands (${r(seconds)} s), then idle | ${r(results.commands.serverMb)} MB, ${r(results.commands.afterIdleServerMb)} MB | | ≤ 400 MB |`);
    const inside = results.commands.inside;
    if (inside) console.log(`| after the commands, inside the server: V8 heap used / total, memory outside the heap (PGlite's) | ${r(inside.heapUsedMb!)} / ${r(inside.heapTotalMb!)} MB, ${r(inside.externalMb!)} MB | | |`);
    console.log(`| embedded data directory: before the ${r(COMMANDS)} commands, after | ${r(results.commands.dataDirMbBefore)} MB, ${r(results.commands.dataDirMbAfter)} MB | | |`);
    console.log(`| baseline: node answering HTTP from a one-line server | ${r(median(results.baselines.nodeHttpMs))} ms | ${r(max(results.baselines.nodeHttpMs))} ms | |`);
    console.log(`| baseline: the TypeScript through tsx, existing data | ${r(median(results.baselines.tsxExistingMs))} ms, ${r(median(results.baselines.tsxExistingServerMb))} MB | | |`);
    console.log(`| the first start of a checkout (initdb of the template) | ${r(results.firstOfCheckout.ms)} ms, ${r(results.firstOfCheckout.serverMb)} MB | | |`);
    console.log(`\nprocess tree after a first start: ${results.tree.map((p) => `${p.command.split(' ').slice(0, 3).join(' ')} ${r(p.mb)} MB`).join('; ')}`);
    const json = JSON.stringify(results);
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, json);
    console.log(`\n${json}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
