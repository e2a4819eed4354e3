import t from 'tap';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');
const SECRET = 'projection money stopped at event 4b8e0d5c-6f2a-4c1e-9a37-2f1e5d9c8b70 of stream project-p-1: the database system is starting up';

t.test('readiness: the public probe names components and codes, admins and the log get the details', async (t) => {
  const { app, logs } = await testApp([keys]);
  t.teardown(() => app.close());
  let failing = true;
  app.addReadinessCheck('projections', async () => (failing ? { ok: false, code: 'PROJECTION_STOPPED', detail: SECRET } : { ok: true }));
  app.addReadinessCheck('storage', async () => {
    if (failing) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    return { ok: true };
  });

  const down = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(down.statusCode, 503);
  t.equal(down.headers['retry-after'], '5');
  t.same(down.json().checks, { projections: { ok: false, code: 'PROJECTION_STOPPED' }, storage: { ok: false, code: 'DATABASE_UNREACHABLE' } });
  t.equal(down.json().detail, 'not ready: projections (PROJECTION_STOPPED), storage (DATABASE_UNREACHABLE)');
  t.notMatch(down.body, /4b8e0d5c|project-p-1|starting up|ECONNREFUSED|5432/, 'no event id, stream, error text or address to anyone');
  t.ok(logs.some((l) => l.includes('4b8e0d5c') && l.includes('"component":"readiness"')), 'the details are in the log');

  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/readiness' })).statusCode, 401, 'the details need a token');
  const officer = { authorization: `Bearer ${await token(keys, ['officer'])}` };
  t.equal((await app.inject({ method: 'GET', url: '/v1/admin/readiness', headers: officer })).statusCode, 403, '... of an admin');
  const admin = { authorization: `Bearer ${await token(keys, ['admin'])}` };
  const detailed = await app.inject({ method: 'GET', url: '/v1/admin/readiness', headers: admin });
  t.equal(detailed.statusCode, 200);
  t.equal(detailed.json().status, 'not-ready');
  t.equal(detailed.json().checks.projections.detail, SECRET);

  failing = false;
  const up = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(up.statusCode, 200, 'ready as soon as the checks pass: readiness is the present');
  t.same(up.json(), { status: 'ready', checks: { projections: { ok: true }, storage: { ok: true } } });
  t.ok(logs.some((l) => l.includes('ready again')), 'the recovery is logged');
});

t.test('readiness: a check that hangs is not ready within seconds', async (t) => {
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  app.addReadinessCheck('slow', () => new Promise(() => undefined));
  const started = Date.now();
  const res = await app.inject({ method: 'GET', url: '/readyz' });
  t.equal(res.statusCode, 503);
  t.same(res.json().checks, { slow: { ok: false, code: 'CHECK_TIMED_OUT' } });
  t.ok(Date.now() - started < 5_000, 'answered within 5 s');
});
