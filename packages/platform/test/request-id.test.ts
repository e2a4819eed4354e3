import t from 'tap';
import { makeKeys, testApp } from './helpers.js';

const keys = await makeKeys('k1');

t.test('request ids', async (t) => {
  const { app, logs } = await testApp([keys]);
  t.teardown(() => app.close());
  t.test('a given X-Request-Id comes back and is logged', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    t.equal(res.headers['x-request-id'], 'abc-123');
    t.ok(logs.some((l) => JSON.parse(l).reqId === 'abc-123'));
  });
  t.test('errors carry it too, in the header and the problem', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/things/1', headers: { 'x-request-id': 'err-9' } });
    t.equal(res.statusCode, 401);
    t.equal(res.headers['x-request-id'], 'err-9');
    t.equal(res.json().requestId, 'err-9');
  });
  t.test('a missing or unsafe id is replaced by a generated one', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'bad id\u0000' } });
    t.match(res.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    const res2 = await app.inject({ method: 'GET', url: '/healthz' });
    t.match(res2.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  });
});
