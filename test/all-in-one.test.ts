import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { loadConfig } from '@gongguan/platform';
import { allInOneConfigSchema } from '../scripts/all-in-one.js';
import { launchArgs } from './support/process.js';

/** `pnpm start`'s entry, run as a real process on a real port, exactly as a person starts it. */
t.test('the all-in-one start answers /healthz on a real port and stops on SIGTERM', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-aio-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, launchArgs('scripts/start.ts'), {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(output);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
  });
  t.match(output, /pnpm token --role officer --sub alice/, 'says how to get a token');
  t.match(output, /\/docs/, 'says where the docs are');
  const health = await fetch(`${url}/healthz`);
  t.equal(health.status, 200);
  t.same(await health.json(), { status: 'ok' });
  const openapi = await fetch(`${url}/openapi.json`);
  t.equal(((await openapi.json()) as { openapi: string }).openapi, '3.1.0');
  t.equal((await fetch(`${url}/readyz`)).status, 200, 'ready on the embedded store');
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'a SIGTERM closes gracefully with exit code 0');
});

t.test("the all-in-one's config knows every service's own settings, and refuses bad ones by name", async (t) => {
  const ok = loadConfig(allInOneConfigSchema, { PROJECTOR_MAX_BATCH: '500', REPORTING_MAX_WAIT_MS: '2000', AGGREGATE_CACHE_STREAMS: '0', AUDIT_SEAL_INTERVAL_MS: '0' });
  t.match(ok, { PROJECTOR_MAX_BATCH: 500, REPORTING_MAX_WAIT_MS: 2000, AGGREGATE_CACHE_STREAMS: 0, AUDIT_SEAL_INTERVAL_MS: 0 });
  t.equal(loadConfig(allInOneConfigSchema, {}).AGGREGATE_CACHE_STREAMS, 10_000, 'the cache default');
  for (const variable of ['PROJECTOR_MAX_BATCH', 'REPORTING_MAX_WAIT_MS', 'AGGREGATE_CACHE_STREAMS', 'IDEMPOTENCY_RETENTION_HOURS']) {
    t.throws(() => loadConfig(allInOneConfigSchema, { [variable]: '-5' }), new RegExp(variable), `${variable}=-5 is refused, by name`);
  }
});
