/**
 * A timeline of the benchmark server, for when a percentile moves and the question is why:
 * `BENCH_TRACE=file` makes `server.ts` record, until it closes,
 *   - every request: when Fastify saw it and how long until it answered;
 *   - every group commit of the event store (its diagnostics channel): start, length, appends;
 *   - every garbage collection: start, pause, kind (minor, major, incremental);
 *   - the event loop held up: a 2 ms timer that fired more than 5 ms late, and by how much;
 *   - the heap in use, once a second.
 * Times are epoch ms, so they line up with the load generator's. `traceBuckets` sums a trace up
 * per stretch of time; `pnpm bench:open-ab` prints that table for both of its servers.
 */
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { GROUP_COMMIT_CHANNEL, type GroupCommitMessage } from '@gongguan/event-store';
import type { HttpApp } from '@gongguan/platform';
import { percentile } from './load.js';

export interface ServerTrace {
  /** [start epoch ms, ms until answered] */
  requests: Array<[number, number]>;
  /** [start, ms, appends] */
  batches: Array<[number, number, number]>;
  /** [start, pause ms, kind: 'minor' | 'major' | 'incremental' | 'weak'] */
  gc: Array<[number, number, string]>;
  /** [when the timer was due, ms late] */
  lags: Array<[number, number]>;
  /** [when, heap used MB] */
  heap: Array<[number, number]>;
}

const LAG_TIMER_MS = 2;
const LAG_OVER_MS = 5;

const GC_KINDS: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};

const epoch = (t: number): number => performance.timeOrigin + t;

/** Starts recording `app`'s timeline; `stop()` ends it and writes it to `file` as JSON. */
export function startServerTrace(app: HttpApp, file: string): { stop(): void } {
  const trace: ServerTrace = { requests: [], batches: [], gc: [], lags: [], heap: [] };
  const started = new WeakMap<object, number>();
  app.addHook('onRequest', async (request) => {
    started.set(request, performance.now());
  });
  app.addHook('onResponse', async (request) => {
    const t0 = started.get(request);
    if (t0 !== undefined) trace.requests.push([epoch(t0), performance.now() - t0]);
  });
  const onBatch = (message: unknown): void => {
    const m = message as GroupCommitMessage;
    trace.batches.push([m.startedAt, m.ms, m.appends]);
  };
  subscribe(GROUP_COMMIT_CHANNEL, onBatch);
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
      trace.gc.push([epoch(entry.startTime), entry.duration, GC_KINDS[kind] ?? String(kind)]);
    }
  });
  gc.observe({ entryTypes: ['gc'] });
  let due = performance.now() + LAG_TIMER_MS;
  const lagTimer = setInterval(() => {
    const now = performance.now();
    if (now - due > LAG_OVER_MS) trace.lags.push([epoch(due), now - due]);
    due = now + LAG_TIMER_MS;
  }, LAG_TIMER_MS);
  const heapTimer = setInterval(() => trace.heap.push([epoch(performance.now()), process.memoryUsage().heapUsed / 1e6]), 1000);
  lagTimer.unref();
  heapTimer.unref();
  return {
    stop() {
      clearInterval(lagTimer);
      clearInterval(heapTimer);
      gc.disconnect();
      writeFileSync(file, JSON.stringify(trace));
    },
  };
}

export interface TraceBucket {
  /** Seconds from `from`. */
  at: number;
  requests: number;
  /** Server-side time, from Fastify seeing the request to its answer. */
  serverP99: number;
  batches: number;
  batchP99: number;
  gcPauses: number;
  gcMs: number;
  gcMaxMs: number;
  majors: number;
  /** The event loop held up more than 5 ms. */
  lags: number;
  /** Heap in use at the last sample of the stretch (NaN: none). */
  heapMb: number;
}

/** The trace in stretches of `bucketMs` from `from` (epoch ms) on; stretches without requests are left out. */
export function traceBuckets(trace: ServerTrace, from: number, bucketMs: number): TraceBucket[] {
  // A loop, not Math.max(...): a long run's requests are too many arguments for one call.
  const last = trace.requests.reduce((max, [at]) => Math.max(max, at), from);
  const buckets: TraceBucket[] = [];
  for (let start = from; start <= last; start += bucketMs) {
    const end = start + bucketMs;
    const within = <T extends [number, ...unknown[]]>(rows: T[]): T[] => rows.filter(([at]) => at >= start && at < end);
    const requests = within(trace.requests);
    if (requests.length === 0) continue;
    const batches = within(trace.batches);
    const gc = within(trace.gc);
    const heap = within(trace.heap);
    const sorted = (xs: number[]) => Float64Array.from(xs).sort();
    buckets.push({
      at: (start - from) / 1000,
      requests: requests.length,
      serverP99: percentile(sorted(requests.map(([, ms]) => ms)), 99),
      batches: batches.length,
      batchP99: batches.length ? percentile(sorted(batches.map(([, ms]) => ms)), 99) : 0,
      gcPauses: gc.length,
      gcMs: gc.reduce((sum, [, ms]) => sum + ms, 0),
      gcMaxMs: gc.reduce((max, [, ms]) => Math.max(max, ms), 0),
      majors: gc.filter(([, , kind]) => kind === 'major').length,
      lags: within(trace.lags).length,
      heapMb: heap.length ? heap[heap.length - 1]![1] : Number.NaN,
    });
  }
  return buckets;
}

export function bucketTable(buckets: TraceBucket[]): string {
  const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '–');
  const lines = ['| from s | requests | server p99 ms | batches | batch p99 ms | GC pauses | GC ms | longest GC ms | major GCs | loop held >5 ms | heap MB |', '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|'];
  for (const b of buckets) {
    lines.push(`| ${f(b.at, 0)} | ${b.requests} | ${f(b.serverP99)} | ${b.batches} | ${f(b.batchP99)} | ${b.gcPauses} | ${f(b.gcMs)} | ${f(b.gcMaxMs)} | ${b.majors} | ${b.lags} | ${f(b.heapMb, 0)} |`);
  }
  return lines.join('\n');
}
