/**
 * `pnpm bench:open-ab`: two configurations of the lifecycle API side by side under one open loop,
 * to tell whether a change moves the tail latency on a machine whose own stalls move it more.
 *
 * Each variant gets a fresh PostgreSQL database and a server process of its own, set up like
 * `bench:http` (projects in publicity, a closed-loop warm-up). Then one Poisson arrival schedule at
 * BENCH_OPEN_RATE (default 1,000/s) runs for AB_SECONDS (default 40 s), and consecutive slices of
 * AB_SLICE_MS (default 500 ms) go to A, B, A, B…: a disk or CPU stall of the machine lands on
 * whichever variant holds the slice, and over many slices on both alike. The first two slices of
 * each variant are a lead-in and are not measured.
 *
 * Variants: AB_A_ENV / AB_B_ENV ("NAME=value NAME=value", added to the server's environment) and
 * AB_A_NODE_ARGS / AB_B_NODE_ARGS (Node options of the server); AB_A_ROOT / AB_B_ROOT, another
 * checkout of this repository with its dependencies installed (`git worktree add /tmp/base <rev>
 * && pnpm -C /tmp/base install`), whose server that variant runs, to compare two commits. Prints, per variant, p50/p90/p99/
 * p99.9/max and the requests slower than 15 ms; per stretch of ten slice pairs, each variant's
 * p99, so one stall is seen as one stretch, not as a verdict. BENCH_OUT=file writes the JSON.
 * AB_TRACE=dir records each server's timeline (trace.ts) to dir/A.json and dir/B.json and prints
 * it in 5 s stretches from the open loop's start: garbage collection, group commits, heap.
 *
 * A run of identical variants (AB_B_ENV=X=1, say) shows how far apart two equal servers land on
 * this machine: read any difference against that.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { arrive, client, percentile, type Client } from './load.js';
import { cast, createStorage, OBJECTION, projectsInPublicity, startServer, type Server, type Storage } from './system.js';
import { bucketTable, traceBuckets, type ServerTrace } from './trace.js';

const RATE = Number(process.env.BENCH_OPEN_RATE ?? 1000);
const SECONDS = Number(process.env.AB_SECONDS ?? 40);
const SLICE_MS = Number(process.env.AB_SLICE_MS ?? 500);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 512);
const SLOW_MS = 15;
const STRETCH_PAIRS = 10;
const TRACE_DIR = process.env.AB_TRACE;
const traceFile = (name: string): string => join(TRACE_DIR ?? '.', `${name}.json`);

interface Variant {
  name: 'A' | 'B';
  env: Record<string, string>;
  nodeArgs: string[];
  root?: string;
}

function variant(name: 'A' | 'B'): Variant {
  const env: Record<string, string> = {};
  for (const pair of (process.env[`AB_${name}_ENV`] ?? '').split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq < 1) throw new Error(`AB_${name}_ENV: "${pair}" is not NAME=value`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const root = process.env[`AB_${name}_ROOT`];
  return { name, env, nodeArgs: (process.env[`AB_${name}_NODE_ARGS`] ?? '').split(/\s+/).filter(Boolean), ...(root ? { root } : {}) };
}

const describe = (v: Variant): string => [...(v.root ? [`server of ${v.root}`] : []), ...Object.entries(v.env).map(([k, x]) => `${k}=${x}`), ...v.nodeArgs].join(' ') || 'defaults';

interface Running {
  variant: Variant;
  storage: Storage;
  server: Server;
  ids: string[];
  tokens: string[];
  via: Client;
  next: number;
  /** [slice index, latency ms] of each answered request. */
  answered: Array<[number, number]>;
  failed: number;
  firstFailure?: string;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function prepare(v: Variant): Promise<Running> {
  const storage = await createStorage('postgres');
  const server = await startServer(storage, v.nodeArgs, TRACE_DIR ? { ...v.env, BENCH_TRACE: traceFile(v.name) } : v.env, v.root);
  const people = await cast(server);
  const ids = await projectsInPublicity(server, people, `tz-ab-${v.name.toLowerCase()}`, PROJECTS, 16);
  const tokens = await Promise.all(Array.from({ length: 16 }, (_, i) => server.token('officer', `officer-${i + 1}`)));
  return { variant: v, storage, server, ids, tokens, via: client(server.url, 256), next: 0, answered: [], failed: 0 };
}

function send(r: Running, slice: number, scheduled: number, measured: boolean): Promise<unknown> {
  const i = r.next++;
  return r.via.send({ method: 'POST', path: `/v1/projects/${r.ids[i % r.ids.length]!}/objections`, token: r.tokens[i % r.tokens.length]!, body: OBJECTION }).then(
    (reply) => {
      if (reply.status >= 200 && reply.status < 300) {
        if (measured) r.answered.push([slice, performance.now() - scheduled]);
      } else {
        r.failed++;
        r.firstFailure ??= `${reply.status} ${reply.body.slice(0, 300)}`;
      }
    },
    (err: unknown) => {
      r.failed++;
      r.firstFailure ??= String(err);
    },
  );
}

function summary(latencies: number[]) {
  const sorted = Float64Array.from(latencies).sort();
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: percentile(sorted, 100),
    slow: sorted.length - sorted.filter((x) => x <= SLOW_MS).length,
  };
}

async function main(): Promise<void> {
  /** When the open loop started, epoch ms (0: it never did). */
  let openedAt = 0;
  const variants = [variant('A'), variant('B')];
  if (TRACE_DIR) mkdirSync(TRACE_DIR, { recursive: true });
  const running: Running[] = [];
  try {
    for (const v of variants) {
      log(`${v.name}: ${describe(v)}: setting up ${PROJECTS} projects`);
      running.push(await prepare(v));
    }
    // A short closed-loop warm-up of each, so neither meets the open loop cold.
    for (const r of running) {
      const until = performance.now() + 3000;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (performance.now() < until) await send(r, -1, performance.now(), false);
      }));
    }
    log(`open loop: ${RATE}/s for ${SECONDS} s, slices of ${SLICE_MS} ms alternating A, B`);
    const start = performance.now();
    openedAt = performance.timeOrigin + start;
    const { inFlight } = await arrive(RATE, SECONDS * 1000, 'poisson', (scheduled) => {
      const slice = Math.floor((scheduled - start) / SLICE_MS);
      const r = running[slice % 2]!;
      return send(r, slice, scheduled, slice >= 4);
    });
    await Promise.all(inFlight);
    const results = running.map((r) => ({ variant: r.variant.name, config: describe(r.variant), failed: r.failed, ...(r.firstFailure ? { firstFailure: r.firstFailure } : {}), ...summary(r.answered.map(([, l]) => l)) }));
    const pairs = Math.ceil((SECONDS * 1000) / SLICE_MS / 2);
    const stretches: Array<{ from: number; to: number; A: number; B: number }> = [];
    for (let p = 2; p < pairs; p += STRETCH_PAIRS) {
      const inStretch = (r: Running) => r.answered.filter(([slice]) => slice >= 2 * p && slice < 2 * (p + STRETCH_PAIRS)).map(([, l]) => l);
      stretches.push({ from: (2 * p * SLICE_MS) / 1000, to: (Math.min(2 * (p + STRETCH_PAIRS), 2 * pairs) * SLICE_MS) / 1000, A: summary(inStretch(running[0]!)).p99, B: summary(inStretch(running[1]!)).p99 });
    }
    const out = { rate: RATE, seconds: SECONDS, sliceMs: SLICE_MS, projects: PROJECTS, results, stretches };
    if (process.env.BENCH_OUT) writeFileSync(process.env.BENCH_OUT, JSON.stringify(out, null, 2));
    const f = (x: number) => x.toFixed(1);
    for (const r of results) {
      console.log(`${r.variant} (${r.config}): ${r.n} answered, ${r.failed} failed, p50 ${f(r.p50)} ms, p90 ${f(r.p90)} ms, p99 ${f(r.p99)} ms, p99.9 ${f(r.p999)} ms, max ${f(r.max)} ms, ${r.slow} slower than ${SLOW_MS} ms${r.firstFailure ? `; first failure: ${r.firstFailure}` : ''}`);
    }
    console.log(`p99 by stretch (s): ${stretches.map((s) => `${s.from}–${s.to}: A ${f(s.A)} / B ${f(s.B)}`).join('; ')}`);
  } finally {
    for (const r of running) {
      r.via.destroy();
      await r.server.close().catch(() => undefined);
      await r.storage.dispose();
    }
  }
  if (TRACE_DIR && openedAt > 0) {
    for (const v of variants) {
      const trace = JSON.parse(readFileSync(traceFile(v.name), 'utf8')) as ServerTrace;
      console.log(`\n${v.name} (${describe(v)}), server timeline from the open loop's start (${traceFile(v.name)}):\n\n${bucketTable(traceBuckets(trace, openedAt, 5000))}`);
    }
  }
}

await main();
