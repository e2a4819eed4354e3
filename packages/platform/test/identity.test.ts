import t from 'tap';
import { normaliseIdentity } from '../src/auth/identity.js';
import { makeKeys, testApp, token } from './helpers.js';

t.test('an identity is NFKC, trimmed and lower case', async (t) => {
  t.equal(normaliseIdentity('FIN-A'), 'fin-a');
  t.equal(normaliseIdentity('  fin-a\t'), 'fin-a');
  t.equal(normaliseIdentity('ｆｉｎ－ａ'), 'fin-a', 'full-width forms fold to ASCII');
  t.equal(normaliseIdentity('\u212Aate'), 'kate', 'the Kelvin sign is a K');
  t.equal(normaliseIdentity('Wang.Wei+audit@Example.GOV.cn'), 'wang.wei+audit@example.gov.cn');
  t.equal(normaliseIdentity('auth0:5f1c-9e'), 'auth0:5f1c-9e');
});

t.test('an identity outside the safe set is refused, not mapped', async (t) => {
  for (const raw of ['f\u0456n-a', '\u03bffficer', 'fin\u2010a', 'fin-a\u200b', 'fin-a\u0000', '王伟', 'fin a', 'fin|a', '', '   ', 'x'.repeat(201)]) {
    t.equal(normaliseIdentity(raw), undefined, JSON.stringify(raw));
  }
});

t.test('the principal a route sees carries the normalised subject; a bad one is 401', async (t) => {
  const keys = await makeKeys('k1');
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  const as = async (subject: string) =>
    app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: `Bearer ${await token(keys, ['officer'], { subject })}` } });
  t.equal((await as(' FIN-A ')).json().subject, 'fin-a');
  const cyrillic = await as('f\u0456n-a');
  t.equal(cyrillic.statusCode, 401);
  t.equal(cyrillic.json().code, 'TOKEN_INVALID');
  t.match(cyrillic.json().detail, /subject/);
});
