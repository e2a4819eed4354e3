import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { buildServer, ensureDevKeys, readPrivateJwk, signToken } from '@gongguan/platform';
import { allInOne } from '../scripts/all-in-one.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every route of the all-in-one, whoever added it: an auditor reads, and never writes. */
t.test('an auditor token reads the audit routes and is refused (403) by every write route', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-audit-roles-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { app } = await buildServer(allInOne, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', GONGGUAN_ENV: 'test', AUDIT_SEAL_INTERVAL_MS: '0' });
  t.teardown(() => app.close());
  const keys = await ensureDevKeys(dataDir);
  const auditor = `Bearer ${await signToken(readPrivateJwk(keys.privateJwk), { subject: 'auditor-ma', roles: ['auditor'] })}`;
  const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x-1');

  const writes = app.routesTable.filter((r) => WRITES.has(r.method) && r.roles !== 'public');
  t.ok(writes.some((r) => r.url === '/v1/audit/tree-heads'), 'the audit service has a write route too');
  for (const route of writes) {
    t.notOk(route.roles !== 'public' && route.roles.includes('auditor'), `${route.method} ${route.url} does not list the auditor role`);
    const res = await app.inject({ method: route.method as 'POST', url: concrete(route.url), headers: { authorization: auditor, 'content-type': 'application/json' }, payload: '{}' });
    t.equal(res.statusCode, 403, `${route.method} ${route.url} → 403 for an auditor`);
  }
  t.comment(`${writes.length} write routes checked`);

  const reads = app.routesTable.filter((r) => r.method === 'GET' && r.url.startsWith('/v1/audit/'));
  t.ok(reads.length >= 14);
  for (const route of reads) {
    const res = await app.inject({ method: 'GET', url: concrete(route.url), headers: { authorization: auditor } });
    t.not(res.statusCode, 403, `GET ${route.url} is open to an auditor (${res.statusCode})`);
    t.not(res.statusCode, 401);
  }
  const others = app.routesTable.filter((r) => r.method === 'GET' && r.roles !== 'public' && !r.roles.includes('auditor'));
  if (others.length > 0) t.comment(`GET routes not open to auditors: ${others.map((r) => r.url).join(', ')}`);
});
