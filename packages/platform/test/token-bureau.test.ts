import t from 'tap';
import { importJWK, SignJWT } from 'jose';
import { baseConfigSchema, ConfigError, LEGACY_BUREAU_CODE, loadConfig } from '@gongguan/platform';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');

async function withClaims(claims: Record<string, unknown>): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'EdDSA');
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ roles: ['officer'], ...claims }).setProtectedHeader({ alg: 'EdDSA', kid: 'k1' }).setSubject('alice').setIssuedAt(now).setExpirationTime(now + 600).sign(key);
}

async function whoAmI(app: Awaited<ReturnType<typeof testApp>>['app'], jwt: string) {
  const res = await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: `Bearer ${jwt}` } });
  const body = res.json() as { bureau?: string; code?: string; detail?: string };
  return { status: res.statusCode, ...body };
}

t.test('the token carries the caller’s bureau', async (t) => {
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  t.equal((await whoAmI(app, await token(keys, ['officer'], { bureau: '331002' }))).bureau, '331002', 'the bureau claim reaches the principal');
  t.equal((await whoAmI(app, await token(keys, ['officer']))).bureau, LEGACY_BUREAU_CODE, 'outside production a token without one is of the legacy bureau');
  for (const bad of ['33100', '031000', '3310021', '33100x', 331000, '３３１０００']) {
    const res = await whoAmI(app, await withClaims({ bureau: bad }));
    t.equal(res.status, 401, `bureau ${JSON.stringify(bad)} is refused`);
    t.equal(res.code, 'TOKEN_INVALID');
  }
});

t.test('production refuses a token without a bureau unless one is configured for all', async (t) => {
  const { app } = await testApp([keys], { auth: { defaultBureau: null } });
  t.teardown(() => app.close());
  const res = await whoAmI(app, await token(keys, ['officer']));
  t.equal(res.status, 401);
  t.equal(res.code, 'TOKEN_INVALID');
  t.match(res.detail, /bureau/);
  t.equal((await whoAmI(app, await token(keys, ['officer'], { bureau: '330000' }))).bureau, '330000');
  const configured = await testApp([keys], { auth: { defaultBureau: '332500' } });
  t.teardown(() => configured.app.close());
  t.equal((await whoAmI(configured.app, await token(keys, ['officer']))).bureau, '332500', 'TOKEN_DEFAULT_BUREAU names the bureau of claimless tokens');
});

t.test('TOKEN_DEFAULT_BUREAU is checked as a code', async (t) => {
  const schema = baseConfigSchema({ port: 1, serviceName: 's' });
  t.equal(loadConfig(schema, { TOKEN_DEFAULT_BUREAU: '331002' }).TOKEN_DEFAULT_BUREAU, '331002');
  t.throws(() => loadConfig(schema, { TOKEN_DEFAULT_BUREAU: 'taizhou' }), ConfigError);
});
