import { connect } from 'node:net';
import t from 'tap';
import { makeKeys, testApp, token } from './helpers.js';

const keys = await makeKeys('k1');

t.test('rate limits per client and route class', async (t) => {
  const { app } = await testApp([keys], { rateLimits: { commandsPerMinute: 3, readsPerMinute: 5 } });
  t.teardown(() => app.close());
  const alice = `Bearer ${await token(keys, ['officer'], { subject: 'alice' })}`;
  const bob = `Bearer ${await token(keys, ['officer'], { subject: 'bob' })}`;
  const post = (authorization: string) => app.inject({ method: 'POST', url: '/v1/things', headers: { authorization }, payload: { name: 'x', amountFen: 1 } });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await post(alice)).statusCode);
  t.same(statuses, [201, 201, 201, 429], 'the fourth command in a minute is refused');
  const limited = await post(alice);
  t.equal(limited.json().code, 'RATE_LIMITED');
  t.match(limited.headers['retry-after'], /^\d+$/);
  t.equal((await post(bob)).statusCode, 201, 'another client has its own bucket');
  const read = await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: alice } });
  t.equal(read.statusCode, 200, 'reads are a separate class');
  for (let i = 0; i < 10; i++) t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
});

t.test('a slow client that never finishes its request is cut off', async (t) => {
  const { app } = await testApp([keys], { requestTimeoutMs: 300 });
  t.teardown(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const auth = await token(keys, ['officer']);
  const started = Date.now();
  const answer = await new Promise<string>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`POST /v1/things HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${auth}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"na`));
    let data = '';
    socket.on('data', (d) => (data += d.toString()));
    socket.on('close', () => resolve(data));
  });
  t.match(answer, /^HTTP\/1.1 408/, 'answered 408 Request Timeout');
  t.match(answer, /application\/problem\+json[\s\S]*"code":"REQUEST_TIMEOUT"/, 'as a problem');
  t.ok(Date.now() - started < 5_000, 'and the connection closed');
});

t.test('a flood of bad tokens is limited by address before its tokens are checked', async (t) => {
  const { app } = await testApp([keys], { rateLimits: { commandsPerMinute: 3, readsPerMinute: 5 } });
  t.teardown(() => app.close());
  const forged = `Bearer ${(await token(keys, ['officer'])).slice(0, -4)}AAAA`;
  const get = (authorization?: string) => app.inject({ method: 'GET', url: '/v1/things/1', headers: authorization ? { authorization } : {} });
  const statuses = [];
  for (let i = 0; i < 8; i++) statuses.push((await get(forged)).statusCode);
  t.same(statuses, [401, 401, 401, 401, 401, 429, 429, 429], 'the sixth bad token in a minute gets 429, not another signature check');
  const limited = await get(forged);
  t.equal(limited.json().code, 'RATE_LIMITED');
  t.match(limited.headers['retry-after'], /^\d+$/);
  t.equal((await get()).statusCode, 429, 'no token at all counts against the same address');
  const post = await app.inject({ method: 'POST', url: '/v1/things', headers: { authorization: forged }, payload: { name: 'x', amountFen: 1 } });
  t.equal(post.statusCode, 401, 'commands are a separate class');
  t.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200, 'public routes are never limited');
});

t.test('a client with a good token is limited by subject, not by the address it shares', async (t) => {
  const { app } = await testApp([keys], { rateLimits: { commandsPerMinute: 3, readsPerMinute: 2 } });
  t.teardown(() => app.close());
  const get = async (subject: string) =>
    (await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: `Bearer ${await token(keys, ['officer'], { subject })}` } })).statusCode;
  t.same([await get('alice'), await get('alice'), await get('alice')], [200, 200, 429]);
  t.same([await get('bob'), await get('BOB')], [200, 200], 'bob has his own bucket');
  t.equal(await get(' Bob'), 429, 'and every spelling of bob shares it');
});

t.test('a client whose token was verified before keeps working while its address is flooded', async (t) => {
  const { app } = await testApp([keys], { rateLimits: { commandsPerMinute: 3, readsPerMinute: 5 } });
  t.teardown(() => app.close());
  const alice = `Bearer ${await token(keys, ['officer'], { subject: 'alice' })}`;
  const forged = `Bearer ${(await token(keys, ['officer'])).slice(0, -4)}AAAA`;
  const get = async (authorization: string) => (await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization } })).statusCode;
  t.equal(await get(alice), 200);
  for (let i = 0; i < 5; i++) await get(forged);
  t.equal(await get(forged), 429, 'the address is spent');
  t.equal(await get(alice), 200, 'a known token is not held up by its address');
  const carol = `Bearer ${await token(keys, ['officer'], { subject: 'carol' })}`;
  t.equal(await get(carol), 429, 'a new token from the flooded address waits like the bad ones');
});

t.test('behind a trusted proxy, the address is the client named in X-Forwarded-For', async (t) => {
  const { app } = await testApp([keys], { rateLimits: { commandsPerMinute: 3, readsPerMinute: 2 }, trustProxy: '127.0.0.1' });
  t.teardown(() => app.close());
  const forged = `Bearer ${(await token(keys, ['officer'])).slice(0, -4)}AAAA`;
  const get = async (client: string) =>
    (await app.inject({ method: 'GET', url: '/v1/things/1', headers: { authorization: forged, 'x-forwarded-for': client } })).statusCode;
  t.same([await get('10.0.0.1'), await get('10.0.0.1'), await get('10.0.0.1')], [401, 401, 429]);
  t.equal(await get('10.0.0.2'), 401, 'another client behind the same proxy is not limited by the first');
});
