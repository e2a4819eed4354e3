import t from 'tap';
import { z } from 'zod';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');

t.test('a request without a body reaches a route whose body is optional; the schema decides the rest', async (t) => {
  const { app } = await testApp([keys]);
  app.post(
    '/v1/seals',
    { config: { roles: ['officer'] }, schema: { body: z.strictObject({ reason: z.string().min(1).optional() }).optional() } },
    async (request) => ({ reason: request.body?.reason ?? null }),
  );
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${await token(keys, ['officer'])}` };
  const json = { ...auth, 'content-type': 'application/json' };

  const cases: Array<[string, Record<string, string>, string | undefined, number, string | null]> = [
    ['no body, no content type', auth, undefined, 200, null],
    ['no body, content type application/json', json, undefined, 200, null],
    ['an empty body with application/json', json, '', 200, null],
    ['{}', json, '{}', 200, null],
    ['a reason', json, '{"reason":"quarter end"}', 200, 'quarter end'],
  ];
  for (const [what, headers, payload, status, reason] of cases) {
    const res = await app.inject({ method: 'POST', url: '/v1/seals', headers, ...(payload === undefined ? {} : { payload }) });
    t.equal(res.statusCode, status, `${what}: ${res.body}`);
    t.same(res.json(), { reason }, what);
  }
  const unknown = await app.inject({ method: 'POST', url: '/v1/seals', headers: json, payload: '{"other":1}' });
  t.equal(unknown.statusCode, 400, 'the schema still refuses what it does not know');
  const broken = await app.inject({ method: 'POST', url: '/v1/seals', headers: json, payload: '{"reason":' });
  t.equal(broken.statusCode, 400, 'broken JSON is still refused');
  const poisoned = await app.inject({ method: 'POST', url: '/v1/seals', headers: json, payload: '{"__proto__":{"x":1}}' });
  t.equal(poisoned.statusCode, 400, 'prototype poisoning is still refused');
});

t.test('a route that needs a body still refuses none', async (t) => {
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${await token(keys, ['officer'])}` };
  for (const headers of [auth, { ...auth, 'content-type': 'application/json' }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/things', headers });
    t.equal(res.statusCode, 400);
    t.equal(res.json().code, 'VALIDATION_FAILED');
  }
});
