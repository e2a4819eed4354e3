import t from 'tap';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');

t.test('problem+json for every error', async (t) => {
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  const auth = { authorization: `Bearer ${await token(keys, ['officer'])}` };

  t.test('400 lists each bad field with its path', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things', headers: auth, payload: { name: '', amountFen: 1.5, extra: 1 } });
    t.equal(res.statusCode, 400);
    t.match(res.headers['content-type'], /^application\/problem\+json/);
    const body = res.json();
    t.equal(body.code, 'VALIDATION_FAILED');
    t.equal(body.type, 'urn:gongguan:problem:validation-failed');
    t.equal(body.instance, '/v1/things');
    const paths = (body.errors as Array<{ path: string }>).map((e) => e.path).sort();
    t.same(paths, ['body', 'body.amountFen', 'body.name']);
  });

  t.test('400 for broken JSON', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things', headers: { ...auth, 'content-type': 'application/json' }, payload: '{"name":' });
    t.equal(res.statusCode, 400);
    t.equal(res.json().code, 'VALIDATION_FAILED');
  });

  t.test('404 for an unknown route', async (t) => {
    const res = await app.inject({ method: 'GET', url: '/v1/nothing' });
    t.equal(res.statusCode, 404);
    t.equal(res.json().code, 'ROUTE_NOT_FOUND');
  });

  t.test('405 with Allow when the path exists under another method', async (t) => {
    const res = await app.inject({ method: 'DELETE', url: '/v1/things' });
    t.equal(res.statusCode, 405);
    t.equal(res.headers.allow, 'POST');
    t.equal(res.json().code, 'METHOD_NOT_ALLOWED');
    const res2 = await app.inject({ method: 'PUT', url: '/v1/things/42' });
    t.equal(res2.statusCode, 405);
    t.equal(res2.headers.allow, 'GET');
  });

  t.test('413 for a body over the limit', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things', headers: auth, payload: { name: 'x'.repeat(5000), amountFen: 1 } });
    t.equal(res.statusCode, 413);
    t.equal(res.json().code, 'PAYLOAD_TOO_LARGE');
  });

  t.test('415 for a body that is not JSON', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'name=x' });
    t.equal(res.statusCode, 415);
    t.equal(res.json().code, 'UNSUPPORTED_MEDIA_TYPE');
  });

  t.test('a valid request passes', async (t) => {
    const res = await app.inject({ method: 'POST', url: '/v1/things', headers: auth, payload: { name: '泵', amountFen: 100 } });
    t.equal(res.statusCode, 201);
    t.same(res.json(), { name: '泵' });
  });
});

t.test('a route that declares no roles is refused at start-up', async (t) => {
  const { app } = await testApp([keys]);
  t.teardown(() => app.close());
  t.throws(() => app.get('/v1/open', async () => ({})), /declares no roles/);
});
