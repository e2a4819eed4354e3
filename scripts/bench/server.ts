/**
 * The lifecycle API in a process of its own for the HTTP benchmarks, started by `system.ts` with
 * `fork`: the same `buildServer` and service mount as `services/lifecycle-api/src/server.ts`, but
 * with a clock the parent moves over IPC (`{ clock: iso }`), so the story's business dates hold.
 * Sends `{ url }` once listening; `{ close: true }` closes the app and exits; `{ cpu: true }`
 * answers the process's CPU time; `{ profile: 'start' | 'stop', file }` profiles a stretch;
 * BENCH_TRACE=file records its timeline (trace.ts).
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { lifecycleService } from '@gongguan/lifecycle-api';
import { configSchema } from '@gongguan/lifecycle-api/config';
import { buildServer } from '@gongguan/platform';
import { startServerTrace } from './trace.js';

let now = new Date(process.env.BENCH_CLOCK ?? '2018-05-01T02:00:00Z');
const env = { now: () => now, newId: () => randomUUID() };
const { app } = await buildServer({ title: 'Gongguan lifecycle API (benchmark)', configSchema, services: [lifecycleService({ env })] }, process.env);
// BENCH_TRACE=file: the server's timeline (trace.ts), written when it closes.
const trace = process.env.BENCH_TRACE ? startServerTrace(app, process.env.BENCH_TRACE) : undefined;
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

// Profiling of a chosen stretch only (not start-up or setup), on `{ profile: 'start' }` and
// `{ profile: 'stop', file }`: `cpu` is the same V8 profile `node --cpu-prof` writes; `alloc` is a
// sampling heap profile of everything allocated meanwhile, collected or not (what `--heap-prof`
// writes keeps only what is still alive at the end); `promoted` leaves out what minor GCs
// collected: what lived long enough to reach the old generation (and what is young at the end).
let inspector: { session: Session; kind: ProfileKind } | undefined;
type ProfileKind = 'cpu' | 'alloc' | 'promoted';
async function profile(action: 'start' | 'stop', kind: ProfileKind = 'cpu', file?: string): Promise<void> {
  if (action === 'start') {
    const session = new Session();
    session.connect();
    inspector = { session, kind };
    if (kind !== 'cpu') {
      await session.post('HeapProfiler.enable');
      await session.post('HeapProfiler.startSampling', { samplingInterval: 4096, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: kind === 'alloc' });
      return;
    }
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 500 });
    await session.post('Profiler.start');
    return;
  }
  if (!inspector) return;
  const { session } = inspector;
  const result = inspector.kind !== 'cpu' ? (await session.post('HeapProfiler.stopSampling')).profile : (await session.post('Profiler.stop')).profile;
  if (file) writeFileSync(file, JSON.stringify(result));
  session.disconnect();
  inspector = undefined;
}

type Message = { clock?: string; close?: boolean; cpu?: boolean; profile?: 'start' | 'stop'; kind?: ProfileKind; file?: string; id?: number };
process.on('message', (message: Message) => {
  void (async () => {
    if (message.clock) now = new Date(message.clock);
    if (message.profile) await profile(message.profile, message.kind, message.file);
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      process.send?.({ id: message.id, ok: true, cpuMs: (user + system) / 1000, elu: performance.eventLoopUtilization() });
      return;
    }
    if (message.close) {
      await app.close();
      trace?.stop();
      process.send?.({ id: message.id, closed: true });
      process.disconnect?.();
      return;
    }
    process.send?.({ id: message.id, ok: true });
  })();
});
process.send?.({ url });
