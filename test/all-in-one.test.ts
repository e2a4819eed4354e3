import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

/** `pnpm start`'s entry, run as a real process on a real port, exactly as a person starts it. */
t.test('the all-in-one start answers /healthz on a real port and stops on SIGTERM', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-aio-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
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
