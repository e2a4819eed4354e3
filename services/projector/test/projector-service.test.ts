import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildServer, devKeyPaths, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { projectorService } from '../src/app.js';
import { configSchema } from '../src/config.js';

t.test('the projector service: status, admin rebuild, readiness, metrics', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gg-projector-'));
  const { app } = await buildServer(
    { title: 'projector test', configSchema, services: [projectorService] },
    { DATA_DIR: dataDir, LOG_LEVEL: 'silent', GONGGUAN_ENV: 'test' },
  );
  t.teardown(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const token = (role: Role) => signToken(readPrivateJwk(devKeyPaths(dataDir).privateJwk), { subject: `${role}-1`, roles: [role] });
  const call = async (method: 'GET' | 'POST', url: string, role?: Role, body?: unknown) =>
    app.inject({ method, url, headers: role ? { authorization: `Bearer ${await token(role)}` } : {}, ...(body === undefined ? {} : { payload: body as object }) });

  const status = await call('GET', '/v1/projections', 'reporter');
  t.equal(status.statusCode, 200);
  t.same(status.json<{ projections: Array<{ name: string }> }>().projections.map((p) => p.name), ['activity', 'money', 'projects']);
  t.equal((await call('POST', '/v1/projections/rebuild', 'officer', {})).statusCode, 403, 'only an admin rebuilds');
  t.equal((await call('POST', '/v1/projections/rebuild', 'admin', { projections: ['nope'] })).statusCode, 400);
  const started = await call('POST', '/v1/projections/rebuild', 'admin', { projections: ['projects'] });
  t.equal(started.statusCode, 202);
  t.match(started.json(), { projections: ['projects'], state: 'running' });
  let done = false;
  for (let i = 0; i < 200 && !done; i++) {
    const s = (await call('GET', '/v1/projections', 'admin')).json<{ rebuilds: Array<{ state: string }>; projections: Array<{ name: string; generation: number }> }>();
    done = s.rebuilds[0]?.state === 'done' && s.projections.find((p) => p.name === 'projects')?.generation === 2;
    if (!done) await new Promise((r) => setTimeout(r, 25));
  }
  t.ok(done, 'the rebuild swapped generation 2 in');
  t.equal((await call('GET', '/readyz')).statusCode, 200);
  t.match((await call('GET', '/metrics/projector')).body, /gongguan_projection_batch_seconds/);
});
