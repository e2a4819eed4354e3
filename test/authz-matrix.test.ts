import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import t from 'tap';
import { buildServer, ensureDevKeys, readPrivateJwk, roles, signToken, type Role } from '@gongguan/platform';
import { allInOne } from '../scripts/all-in-one.js';

/**
 * Every route of the all-in-one × every role, and every kind of bad token. Generated from the
 * route table, so a route added later is checked without anyone remembering to.
 */
t.test('the authorisation matrix', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-authz-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { app } = await buildServer(allInOne, {
    DATA_DIR: dataDir, LOG_LEVEL: 'silent', GONGGUAN_ENV: 'test', AUDIT_SEAL_INTERVAL_MS: '0', RATE_LIMIT_COMMANDS_PER_MINUTE: '0', RATE_LIMIT_READS_PER_MINUTE: '0',
  });
  t.teardown(() => app.close());
  const key = readPrivateJwk((await ensureDevKeys(dataDir)).privateJwk);
  const tokenFor = (role: Role) => signToken(key, { subject: `user-${role}`, roles: [role] });
  const tokens = Object.fromEntries(await Promise.all(roles.map(async (r) => [r, await tokenFor(r)] as const))) as Record<Role, string>;
  const stranger = await generateKeyPair('EdDSA', { extractable: true });
  const wrongKey = await signToken({ ...(await exportJWK(stranger.privateKey)), kid: key.kid, alg: 'EdDSA' }, { subject: 'x', roles: ['admin'] });
  const expired = await signToken(key, { subject: 'x', roles: [...roles], ttlSeconds: 60, now: Math.floor(Date.now() / 1000) - 3600 });
  const [h, , s] = tokens.reporter.split('.');
  const tampered = `${h}.${Buffer.from(JSON.stringify({ sub: 'user-reporter', roles: [...roles], exp: 9_999_999_999 })).toString('base64url')}.${s}`;
  const badTokens: Array<[string, string | undefined, string]> = [
    ['no token', undefined, 'UNAUTHENTICATED'],
    ['an expired token', expired, 'TOKEN_EXPIRED'],
    ['a token signed by another key', wrongKey, 'TOKEN_INVALID'],
    ['a token with tampered claims', tampered, 'TOKEN_INVALID'],
  ];

  const routes = app.routesTable.filter((r) => r.roles !== 'public');
  t.ok(routes.length >= 60, `${routes.length} protected routes in the table`);
  const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'x-1');
  let checked = 0;
  const problems: string[] = [];
  for (const route of routes) {
    const allowed = route.roles as readonly string[];
    const send = (authorization?: string) =>
      app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers: { ...(authorization ? { authorization: `Bearer ${authorization}` } : {}), ...(route.method === 'GET' ? {} : { 'content-type': 'application/json' }) },
        ...(route.method === 'GET' ? {} : { payload: '{}' }),
      });
    for (const role of roles) {
      const res = await send(tokens[role]);
      checked++;
      const body = (String(res.headers['content-type']).includes('json') ? res.json() : {}) as { code?: string };
      if (allowed.includes(role)) {
        // Past authentication and authorisation: what follows is about the request, not the caller.
        if (res.statusCode === 401 || (res.statusCode === 403 && body.code === 'FORBIDDEN')) problems.push(`${role} ${route.method} ${route.url} → ${res.statusCode}`);
        if (res.statusCode >= 500) problems.push(`${role} ${route.method} ${route.url} → ${res.statusCode}`);
      } else if (res.statusCode !== 403 || body.code !== 'FORBIDDEN') {
        problems.push(`${role} ${route.method} ${route.url} → ${res.statusCode} ${body.code ?? ''} (expected 403 FORBIDDEN)`);
      }
    }
    for (const [name, token, code] of badTokens) {
      const res = await send(token);
      checked++;
      if (res.statusCode !== 401 || (res.json() as { code?: string }).code !== code) problems.push(`${name} ${route.method} ${route.url} → ${res.statusCode} (expected 401 ${code})`);
    }
  }
  t.same(problems, [], 'every cell of the matrix as expected');
  t.comment(`${routes.length} routes × (${roles.length} roles + ${badTokens.length} bad tokens) = ${checked} requests`);
  const adminWrites = routes.filter((r) => r.method !== 'GET' && (r.roles as readonly string[]).includes('admin') && r.url.startsWith('/v1/') && !/admin|tree-heads|projections|^\/v1\/bureaus/.test(r.url));
  // (the registry of bureaus is an admin's: registering, renaming and merging bureaus is not a business command)
  t.same(adminWrites.map((r) => r.url), [], 'admin issues no business command');
});
