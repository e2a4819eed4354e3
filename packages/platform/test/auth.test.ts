import t from 'tap';
import { SignJWT, importJWK } from 'jose';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');
const es256 = await makeKeys('k2', 'ES256');
const stranger = await makeKeys('k1');
const unknownKid = await makeKeys('k-unknown');

t.test('authentication and roles', async (t) => {
  const { app, logs } = await testApp([keys, es256]);
  t.teardown(() => app.close());
  const get = (authorization?: string) =>
    app.inject({ method: 'GET', url: '/v1/things/7', headers: authorization ? { authorization } : {} });

  t.test('no token is 401 UNAUTHENTICATED', async (t) => {
    const res = await get();
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'UNAUTHENTICATED');
  });
  t.test('a malformed header is 401 TOKEN_INVALID', async (t) => {
    const res = await get('Basic dXNlcjpwYXNz');
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'TOKEN_INVALID');
  });
  t.test('an expired token is 401 TOKEN_EXPIRED', async (t) => {
    const res = await get(`Bearer ${await token(keys, ['officer'], { now: Math.floor(Date.now() / 1000) - 7200, ttlSeconds: 60 })}`);
    t.equal(res.statusCode, 401);
    t.equal(res.json().code, 'TOKEN_EXPIRED');
  });
  t.test('a wrong signature is 401 TOKEN_INVALID', async (t) => {
    const res = await get(`Bearer ${await token(stranger, ['officer'])}`);
    t.equal(res.statusCode, 401);
    t.match(res.json().detail, /signature/);
  });
  t.test('an unknown key id is 401 TOKEN_INVALID', async (t) => {
    const res = await get(`Bearer ${await token(unknownKid, ['officer'])}`);
    t.equal(res.statusCode, 401);
    t.match(res.json().detail, /unknown key id/);
  });
  t.test('tampered claims are 401', async (t) => {
    const good = await token(keys, ['auditor']);
    const [h, , s] = good.split('.');
    const claims = Buffer.from(JSON.stringify({ sub: 'alice', roles: ['officer'], exp: 9_999_999_999 })).toString('base64url');
    const res = await get(`Bearer ${h}.${claims}.${s}`);
    t.equal(res.statusCode, 401);
  });
  t.test('an unknown role in the claim is 401', async (t) => {
    const key = await importJWK(keys.privateJwk, 'EdDSA');
    const jwt = await new SignJWT({ roles: ['emperor'] }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setSubject('x').setExpirationTime('1h').sign(key);
    const res = await get(`Bearer ${jwt}`);
    t.equal(res.statusCode, 401);
  });
  t.test('a wrong role is 403 FORBIDDEN naming the roles needed', async (t) => {
    const res = await get(`Bearer ${await token(keys, ['reporter'])}`);
    t.equal(res.statusCode, 403);
    t.equal(res.json().code, 'FORBIDDEN');
    t.same(res.json().requiredRoles, ['officer', 'auditor']);
  });
  t.test('an allowed role passes, EdDSA and ES256 alike, and the subject comes from the token', async (t) => {
    const res = await get(`Bearer ${await token(keys, ['auditor'], { subject: 'bob' })}`);
    t.equal(res.statusCode, 200);
    t.equal(res.json().subject, 'bob');
    const res2 = await get(`Bearer ${await token(es256, ['officer'])}`);
    t.equal(res2.statusCode, 200);
  });
  t.test('the token never reaches the logs', async (t) => {
    const secret = await token(keys, ['officer']);
    await get(`Bearer ${secret}`);
    t.notOk(logs.some((l) => l.includes(secret.split('.')[2] ?? 'never')), 'no line contains the signature');
    t.ok(
      logs.some((l) => l.includes('"msg":"request completed"') && l.includes('"url":"/v1/things/7"')),
      'the request was logged: its one line, with method, URL, status and time',
    );
  });
});

t.test('the verified-token cache never outlives the token nor its ttl', async (t) => {
  const { cachedBearerVerifier } = await import('../src/auth/verify.js');
  const { createLocalJWKSet } = await import('jose');
  let clock = Date.now();
  const verify = cachedBearerVerifier({ keys: createLocalJWKSet({ keys: [keys.publicJwk] }) }, { ttlMs: 1_000, now: () => clock });
  const short = `Bearer ${await token(keys, ['officer'], { ttlSeconds: 2 })}`;
  t.equal((await verify(short)).subject, 'alice');
  clock += 500;
  t.equal((await verify(short)).subject, 'alice', 'served from the cache');
  clock += 10_000;
  // Past the cache's ttl the token is verified again, by jose against the real clock (still valid).
  t.equal((await verify(short)).subject, 'alice');
  await t.rejects(verify(`Bearer ${await token(stranger, ['officer'])}`), { code: 'TOKEN_INVALID' }, 'a bad token is never cached as good');
});
