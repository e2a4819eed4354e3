import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { baseConfigSchema, buildServer, type ServiceMount } from '@gongguan/platform';

const schema = baseConfigSchema({ port: 0, serviceName: 'test' });

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('/readyz is not ready when the database is unreachable', async (t) => {
  const { app } = await buildServer(
    { title: 't', configSchema: schema, services: [] },
    { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere', DATA_DIR: tempDir(t), LOG_LEVEL: 'silent' },
  );
  t.teardown(() => app.close());
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.equal(res.json().code, 'NOT_READY');
  t.equal(res.json().checks.storage.ok, false);
  t.equal(res.headers['retry-after'], '5');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'liveness does not depend on storage');
});

t.test('/readyz is ready on the embedded store, and /metrics counts requests', async (t) => {
  const { app } = await buildServer({ title: 't', configSchema: schema, services: [] }, { DATA_DIR: tempDir(t), LOG_LEVEL: 'silent' });
  t.teardown(() => app.close());
  t.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  const metrics = await app.inject({ method: 'GET', url: '/metrics' });
  t.equal(metrics.statusCode, 200);
  t.match(metrics.body, /gongguan_http_requests_total\{method="GET",route="\/readyz",status_code="200"\} 1/);
  t.match(metrics.body, /gongguan_http_request_duration_seconds_bucket/);
  t.match(metrics.body, /gongguan_process_cpu_seconds_total/);
});

t.test('graceful shutdown lets an in-flight request finish', async (t) => {
  let started!: () => void;
  const inFlight = new Promise<void>((resolve) => (started = resolve));
  const slow: ServiceMount = {
    name: 'slow',
    async mount(app) {
      app.get('/v1/slow', { config: { public: true } }, async () => {
        started();
        await new Promise((r) => setTimeout(r, 300));
        return { done: true };
      });
    },
  };
  const { app } = await buildServer({ title: 't', configSchema: schema, services: [slow] }, { DATA_DIR: tempDir(t), LOG_LEVEL: 'silent' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const pending = fetch(`http://127.0.0.1:${port}/v1/slow`);
  await inFlight;
  const closing = app.close();
  const res = await pending;
  t.equal(res.status, 200);
  t.same(await res.json(), { done: true });
  await closing;
  await t.rejects(fetch(`http://127.0.0.1:${port}/healthz`), 'no new connections after close');
});
