import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createHttpApp, createLogger } from '@gongguan/platform';
import { bucketTable, startServerTrace, traceBuckets, type ServerTrace } from '../scripts/bench/trace.js';

t.test('a trace is summed up per stretch, counted from the given start', async (t) => {
  const from = 1_000_000;
  const trace: ServerTrace = {
    // Stretch 0: 100 requests of 1..100 ms (p99 = 99); stretch 1: none; stretch 2: one of 7 ms; one before `from`, left out.
    requests: [...Array.from({ length: 100 }, (_, i): [number, number] => [from + i, i + 1]), [from + 10_500, 7], [from - 1, 500]],
    batches: [[from + 10, 2, 3], [from + 20, 9, 1], [from + 10_600, 4, 2]],
    gc: [[from + 100, 1.5, 'minor'], [from + 200, 12, 'major'], [from + 300, 0.5, 'incremental'], [from + 10_700, 3, 'minor']],
    lags: [[from + 150, 8], [from + 4_999, 6], [from + 5_000, 9]],
    heap: [[from + 1_000, 80], [from + 4_000, 95], [from + 11_000, 60]],
  };
  const buckets = traceBuckets(trace, from, 5_000);
  t.equal(buckets.length, 2, 'the stretch without requests is left out');
  t.match(buckets[0], { at: 0, requests: 100, serverP99: 99, batches: 2, batchP99: 9, gcPauses: 3, gcMs: 14, gcMaxMs: 12, majors: 1, lags: 2, heapMb: 95 });
  t.match(buckets[1], { at: 10, requests: 1, serverP99: 7, batches: 1, batchP99: 4, gcPauses: 1, majors: 0, lags: 0, heapMb: 60 });
  const table = bucketTable(buckets).split('\n');
  t.equal(table.length, 4, 'a header, a rule and a line per stretch');
  t.match(table[2], /^\| 0 \| 100 \| 99\.0 \| 2 \| 9\.0 \| 3 \| 14\.0 \| 12\.0 \| 1 \| 2 \| 95 \|$/);
});

t.test('the server trace records requests and the heap, and writes them when stopped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-trace-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const app = await createHttpApp({
    title: 'trace test',
    logger: createLogger({ level: 'silent' }),
    auth: { keys: async () => Promise.reject(new Error('no tokens in this test')) },
  });
  app.get('/slow', { config: { public: true } }, async () => {
    await new Promise((r) => setTimeout(r, 20));
    return { ok: true };
  });
  const file = join(dir, 'trace.json');
  const trace = startServerTrace(app, file);
  await app.ready();
  const before = Date.now();
  for (let i = 0; i < 3; i++) t.equal((await app.inject({ method: 'GET', url: '/slow' })).statusCode, 200);
  await new Promise((r) => setTimeout(r, 1_100));
  trace.stop();
  await app.close();
  const written = JSON.parse(readFileSync(file, 'utf8')) as ServerTrace;
  t.equal(written.requests.length, 3, 'each request once');
  for (const [at, ms] of written.requests) {
    t.ok(at >= before - 1 && at <= Date.now(), 'stamped in epoch ms');
    t.ok(ms >= 19, `with its time in the server (${ms.toFixed(1)} ms)`);
  }
  t.ok(written.heap.length >= 1 && written.heap.every(([, mb]) => mb > 0), 'the heap is sampled each second');
});
