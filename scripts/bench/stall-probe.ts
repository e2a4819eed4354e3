/**
 * What the machine itself does while a latency is measured. Two probes, in a process of their own
 * (forked by `startStallProbe`), that do almost no work and so should see no delay at all:
 *
 * - **timer**: a 2 ms interval timer; how late each tick fires. A late tick means this process
 *   got no CPU (the cores were busy or the VM was descheduled), which any process here can suffer.
 * - **fsync**: every 20 ms, 4 KiB written to a file and `fdatasync`ed, in `dir` (by default the
 *   system temp dir; pass one on the database's disk). A slow one means the disk held a flush,
 *   which a committing PostgreSQL waits for too.
 *
 * The benchmark compares the intervals where either probe stalled with the requests that were
 * slow, so a tail can be told apart from the machine's.
 */
import { fork } from 'node:child_process';
import { closeSync, fdatasync, openSync, unlinkSync, write } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from './load.js';

/** A stretch of wall-clock time (epoch ms) when a probe was held. */
export interface Stall {
  probe: 'timer' | 'fsync';
  start: number;
  end: number;
}

export interface ProbeSummary {
  dir: string;
  timer: { ticks: number; p99LateMs: number; maxLateMs: number };
  fsync: { syncs: number; p50Ms: number; p99Ms: number; maxMs: number };
  /** Timer ticks over TIMER_STALL_MS late and fsyncs over FSYNC_STALL_MS. */
  stalls: Stall[];
}

export const TIMER_STALL_MS = 5;
export const FSYNC_STALL_MS = 10;
const TICK_MS = 2;
const FSYNC_EVERY_MS = 20;

const epochMs = (): number => performance.timeOrigin + performance.now();

/** The `p`th percentile of unsorted values, as the load generator computes it. */
const quantile = (values: number[], q: number): number => percentile(Float64Array.from(values).sort(), q * 100);

/** The probes themselves; runs in the forked process until the parent sends `stop`. */
function runProbes(dir: string): void {
  const stalls: Stall[] = [];
  const late: number[] = [];
  let expected = epochMs() + TICK_MS;
  const ticker = setInterval(() => {
    const now = epochMs();
    const by = Math.max(0, now - expected);
    late.push(by);
    if (by > TIMER_STALL_MS) stalls.push({ probe: 'timer', start: expected, end: now });
    expected = now + TICK_MS;
  }, TICK_MS);

  const file = join(dir, `gongguan-stall-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 0x61);
  const syncs: number[] = [];
  let offset = 0;
  let stopped = false;
  const syncOnce = (): void => {
    if (stopped) return;
    write(fd, block, 0, block.length, offset, (err) => {
      if (err) throw err;
      offset = (offset + block.length) % (4 << 20);
      const started = epochMs();
      fdatasync(fd, (syncErr) => {
        if (syncErr) throw syncErr;
        const ended = epochMs();
        syncs.push(ended - started);
        if (ended - started > FSYNC_STALL_MS) stalls.push({ probe: 'fsync', start: started, end: ended });
        setTimeout(syncOnce, FSYNC_EVERY_MS);
      });
    });
  };
  syncOnce();

  process.on('message', (message: { stop?: boolean }) => {
    if (!message.stop) return;
    stopped = true;
    clearInterval(ticker);
    closeSync(fd);
    unlinkSync(file);
    const summary: ProbeSummary = {
      dir,
      timer: { ticks: late.length, p99LateMs: quantile(late, 0.99), maxLateMs: Math.max(0, ...late) },
      fsync: { syncs: syncs.length, p50Ms: quantile(syncs, 0.5), p99Ms: quantile(syncs, 0.99), maxMs: Math.max(0, ...syncs) },
      stalls,
    };
    process.send?.(summary, () => process.exit(0));
  });
  process.send?.({ ready: true });
}

export interface StallProbe {
  stop(): Promise<ProbeSummary>;
}

/** Starts the probes in a child process; `stop()` ends them and returns what they saw. */
export async function startStallProbe(dir = tmpdir()): Promise<StallProbe> {
  const child = fork(fileURLToPath(import.meta.url), ['--probe', dir], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`the stall probe exited with ${code}`)));
  });
  return {
    stop: () =>
      new Promise<ProbeSummary>((resolve, reject) => {
        child.once('message', (summary: ProbeSummary) => resolve(summary));
        child.once('exit', (code) => reject(new Error(`the stall probe exited with ${code} before answering`)));
        child.send({ stop: true });
      }),
  };
}

/**
 * Of the requests slower than `thresholdMs` (`[scheduled epoch ms, latency ms]`), how many were
 * in flight during a stall of either probe.
 */
export function slowDuringStalls(requests: ReadonlyArray<readonly [number, number]>, stalls: readonly Stall[], thresholdMs: number): { slow: number; duringStall: number } {
  let slow = 0;
  let duringStall = 0;
  for (const [scheduled, latency] of requests) {
    if (latency <= thresholdMs) continue;
    slow++;
    const end = scheduled + latency;
    if (stalls.some((s) => s.start < end && s.end > scheduled)) duringStall++;
  }
  return { slow, duringStall };
}

if (process.argv[2] === '--probe') runProbes(process.argv[3] ?? tmpdir());
