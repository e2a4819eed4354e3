import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import t, { type Test } from 'tap';
import { buildServer, ensureDevKeys } from '@gongguan/platform';
import { allInOne } from '../../../scripts/all-in-one.js';
import { defaultDistDir, ensureBuilt } from '../src/build.js';

async function server(t: Test, env: NodeJS.ProcessEnv = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-console-srv-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const { app } = await buildServer(allInOne, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', AUDIT_SEAL_INTERVAL_MS: '0', ...env });
  t.teardown(() => app.close());
  await app.ready();
  return { app, dataDir };
}

t.before(() => ensureBuilt());

t.test('the console page at /: no cache, a strict Content-Security-Policy, compressed once', async (t) => {
  const { app } = await server(t);
  const page = await app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br, gzip' } });
  t.equal(page.statusCode, 200);
  t.match(page.headers['content-type'], /text\/html/);
  t.equal(page.headers['cache-control'], 'no-cache');
  t.match(page.headers['content-security-policy'], /default-src 'self'; script-src 'self'/);
  t.match(page.headers['content-security-policy'], /frame-ancestors 'none'/);
  t.equal(page.headers['content-encoding'], 'br');
  const html = brotliDecompressSync(page.rawPayload).toString();
  t.match(html, /<html lang="zh-CN">/);
  t.notMatch(html, /https?:\/\//, 'nothing loaded from another origin');

  const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)![1]!;
  const js = await app.inject({ method: 'GET', url: asset, headers: { 'accept-encoding': 'gzip' } });
  t.equal(js.statusCode, 200);
  t.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable', 'hashed assets cached for a year');
  t.equal(js.headers['content-encoding'], 'gzip');
  t.ok(gunzipSync(js.rawPayload).length > js.rawPayload.length, 'gzip really compresses');
  const again = await app.inject({ method: 'GET', url: asset, headers: { 'if-none-match': String(js.headers.etag) } });
  t.equal(again.statusCode, 304, 'a second visit revalidates with the ETag');
  const plain = await app.inject({ method: 'GET', url: asset });
  t.equal(plain.headers['content-encoding'], undefined, 'no encoding unless asked for');

  for (const url of ['/assets/../package.json', '/assets/%2e%2e/package.json', '/assets/nope.js']) {
    t.equal((await app.inject({ method: 'GET', url })).statusCode, 404, `${url} is not served`);
  }
  const api = await app.inject({ method: 'GET', url: '/v1/no-such-route' });
  t.equal(api.statusCode, 404);
  t.match(api.headers['content-type'], /problem\+json/, 'the API keeps its own 404');
});

t.test('development sign-in: a demo identity gets a token the API accepts; bad input is a problem and mints nothing', async (t) => {
  const { app } = await server(t);
  const config = (await app.inject({ method: 'GET', url: '/console/config.json' })).json() as { env: string; devSignIn: boolean; demoIdentities: Array<{ subject: string }>; oidc: unknown };
  t.equal(config.env, 'development');
  t.equal(config.devSignIn, true);
  t.same(config.demoIdentities.map((p) => p.subject), ['alice', 'bob', 'expert-chen', 'ann', 'fay', 'gus', 'audrey', 'rita']);
  t.equal(config.oidc, null);
  const signed = await app.inject({ method: 'POST', url: '/console/dev-sign-in', payload: { subject: 'alice', roles: ['officer'] } });
  t.equal(signed.statusCode, 200);
  const { token } = signed.json() as { token: string };
  const read = await app.inject({ method: 'GET', url: '/v1/reporting/projects', headers: { authorization: `Bearer ${token}` } });
  t.equal(read.statusCode, 200, 'the token is accepted by the API');
  const officerOnly = await app.inject({ method: 'GET', url: '/v1/audit/verify', headers: { authorization: `Bearer ${token}` } });
  t.equal(officerOnly.statusCode, 403, 'and carries only the role asked for');
  for (const payload of [{ subject: 'Alice Smith', roles: ['officer'] }, { subject: 'alice', roles: ['root'] }, { subject: 'alice', roles: [] }, { subject: 'alice', roles: ['officer'], bureau: '33' }, { subject: 'alice', roles: ['officer'], extra: 1 }]) {
    const bad = await app.inject({ method: 'POST', url: '/console/dev-sign-in', payload });
    t.equal(bad.statusCode, 400, `refused: ${JSON.stringify(payload)}`);
    t.match(bad.headers['content-type'], /problem\+json/);
    t.equal((bad.json() as { code: string }).code, 'VALIDATION_FAILED');
  }
});

t.test('no development sign-in where tokens come from a key set (JWKS) or outside development', async (t) => {
  const keysDir = mkdtempSync(join(tmpdir(), 'gongguan-console-jwks-'));
  t.teardown(() => rmSync(keysDir, { recursive: true, force: true }));
  const keys = await ensureDevKeys(keysDir);
  const auditKey = join(keysDir, 'tree-head.pem');
  writeFileSync(auditKey, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  for (const env of [{ JWKS_FILE: keys.jwks }, { GONGGUAN_ENV: 'production', JWKS_FILE: keys.jwks, TOKEN_DEFAULT_BUREAU: '331000', AUDIT_SIGNING_KEY_FILE: auditKey }, { GONGGUAN_ENV: 'test' }]) {
    const { app } = await server(t, env);
    const config = (await app.inject({ method: 'GET', url: '/console/config.json' })).json() as { devSignIn: boolean; demoIdentities: unknown[] };
    t.equal(config.devSignIn, false, `${JSON.stringify(env)}: no demo sign-in offered`);
    t.same(config.demoIdentities, []);
    const res = await app.inject({ method: 'POST', url: '/console/dev-sign-in', payload: { subject: 'alice', roles: ['officer'] } });
    t.equal(res.statusCode, 404);
    t.equal((res.json() as { code: string }).code, 'DEV_SIGN_IN_DISABLED');
  }
});

t.test('without a build (CONSOLE_BUILD=off) the page says how to build it, in Chinese first; the API still answers', async (t) => {
  const empty = mkdtempSync(join(tmpdir(), 'gongguan-console-nodist-'));
  t.teardown(() => rmSync(empty, { recursive: true, force: true }));
  const { app } = await server(t, { CONSOLE_BUILD: 'off', CONSOLE_DIST_DIR: join(empty, 'dist') });
  const page = await app.inject({ method: 'GET', url: '/' });
  t.equal(page.statusCode, 503);
  t.match(page.body, /控制台尚未构建/);
  t.match(page.body, /pnpm --filter @gongguan\/console build/);
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

t.test('the default build directory holds a current build (pnpm test builds it first)', async (t) => {
  t.ok(readdirSync(join(defaultDistDir, 'assets')).some((f) => f.endsWith('.js')));
});
