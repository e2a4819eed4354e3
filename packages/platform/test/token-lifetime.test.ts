import t from 'tap';
import { importJWK, SignJWT } from 'jose';
import { baseConfigSchema, ConfigError, loadConfig } from '@gongguan/platform';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');
const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly the time claims given (none that are undefined). */
async function signed(claims: { iat?: number; exp?: number; nbf?: number }): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'EdDSA');
  let jwt = new SignJWT({ roles: ['officer'] }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setSubject('alice');
  if (claims.iat !== undefined) jwt = jwt.setIssuedAt(claims.iat);
  if (claims.exp !== undefined) jwt = jwt.setExpirationTime(claims.exp);
  if (claims.nbf !== undefined) jwt = jwt.setNotBefore(claims.nbf);
  return jwt.sign(key);
}

t.test('token lifetime and clock tolerance (defaults: 24 h, 60 s)', async (t) => {
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  const get = async (jwt: string) => {
    const res = await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: `Bearer ${jwt}` } });
    return { status: res.statusCode, code: (res.json() as { code?: string }).code, detail: (res.json() as { detail?: string }).detail };
  };
  const year2286 = 9_999_999_999;

  t.test('a token that expires in 2286 is refused', async (t) => {
    const res = await get(await signed({ iat: now(), exp: year2286 }));
    t.equal(res.status, 401);
    t.equal(res.code, 'TOKEN_INVALID');
    t.match(res.detail, /lifetime/);
  });
  t.test('a token without iat is refused (its lifetime cannot be known)', async (t) => {
    const res = await get(await signed({ exp: now() + 600 }));
    t.equal(res.status, 401);
    t.match(res.detail, /iat/);
  });
  t.test('a token without exp is refused', async (t) => {
    t.equal((await get(await signed({ iat: now() }))).status, 401);
  });
  t.test('a lifetime of one second more than 24 h is refused; exactly 24 h passes', async (t) => {
    t.equal((await get(await signed({ iat: now(), exp: now() + 86_401 }))).status, 401);
    t.equal((await get(await signed({ iat: now(), exp: now() + 86_400 }))).status, 200);
  });
  t.test('iat in the future beyond the tolerance is refused; within it passes', async (t) => {
    const future = await get(await signed({ iat: now() + 3600, exp: now() + 7200 }));
    t.equal(future.status, 401);
    t.match(future.detail, /iat/);
    t.equal((await get(await signed({ iat: now() + 30, exp: now() + 600 }))).status, 200, 'a clock 30 s ahead is tolerated');
  });
  t.test('exp and nbf get the same tolerance', async (t) => {
    t.equal((await get(await signed({ iat: now() - 600, exp: now() - 30 }))).status, 200, 'expired 30 s ago: within tolerance');
    t.equal((await get(await signed({ iat: now() - 600, exp: now() - 120 }))).status, 401, 'expired 2 min ago');
    t.equal((await get(await signed({ iat: now(), exp: now() + 600, nbf: now() + 30 }))).status, 200, 'not before 30 s from now: tolerated');
    t.equal((await get(await signed({ iat: now(), exp: now() + 600, nbf: now() + 300 }))).status, 401, 'not before 5 min from now');
  });
  t.test('signToken (what pnpm token uses) mints tokens that pass: 12 h by default', async (t) => {
    t.equal((await get(await token(keys, ['officer']))).status, 200);
  });
});

t.test('the lifetime and tolerance are configurable', async (t) => {
  const { app } = await testApp([keys], { auth: { maxLifetimeSeconds: 3600, clockToleranceSeconds: 0 } });
  t.teardown(() => app.close());
  const get = async (jwt: string) => (await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: `Bearer ${jwt}` } })).statusCode;
  t.equal(await get(await signed({ iat: now(), exp: now() + 3600 })), 200);
  t.equal(await get(await signed({ iat: now(), exp: now() + 7200 })), 401, 'two hours is over a one-hour limit');
  t.equal(await get(await signed({ iat: now() - 7000, exp: now() + 100 })), 401, 'issued longer ago than the lifetime');
  t.equal(await get(await signed({ iat: now() + 30, exp: now() + 600 })), 401, 'no tolerance: iat 30 s ahead is refused');
});

t.test('config: JWT_MAX_LIFETIME_SECONDS, JWT_CLOCK_TOLERANCE_SECONDS and https for JWKS_URL', async (t) => {
  const schema = baseConfigSchema({ port: 3001, serviceName: 'test' });
  const defaults = loadConfig(schema, {});
  t.equal(defaults.JWT_MAX_LIFETIME_SECONDS, 86_400);
  t.equal(defaults.JWT_CLOCK_TOLERANCE_SECONDS, 60);
  const bad = t.throws(() => loadConfig(schema, { JWT_MAX_LIFETIME_SECONDS: '0', JWT_CLOCK_TOLERANCE_SECONDS: '-1' })) as ConfigError;
  t.equal(bad.problems.length, 2);

  const prod = { GONGGUAN_ENV: 'production' };
  const plain = t.throws(() => loadConfig(schema, { ...prod, JWKS_URL: 'http://idp.example/jwks.json' })) as ConfigError;
  t.ok(plain instanceof ConfigError, 'a ConfigError: startServer exits 78');
  t.match(plain.message, /JWKS_URL: expected an https:\/\/ URL in production/);
  t.throws(() => loadConfig(schema, { ...prod, JWKS_URL: 'http://127.0.0.1:9000/jwks.json' }), ConfigError, 'not even loopback in production');
  t.equal(loadConfig(schema, { ...prod, JWKS_URL: 'https://idp.example/jwks.json' }).JWKS_URL, 'https://idp.example/jwks.json');
  t.throws(() => loadConfig(schema, { JWKS_URL: 'http://idp.example/jwks.json' }), /loopback/, 'development: plain http only to this machine');
  for (const host of ['127.0.0.1', 'localhost', '[::1]']) {
    t.equal(loadConfig(schema, { JWKS_URL: `http://${host}:9000/jwks.json` }).JWKS_URL, `http://${host}:9000/jwks.json`, `development: ${host}`);
  }
});
