import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { lifecycleService, startSystem, testClock } from './support/system.js';

t.test('Idempotency-Key on POST', async (t) => {
  const clock = testClock('2018-07-20T02:00:00Z');
  let system = await startSystem(t, process.env.TEST_DATABASE_URL ? 'postgres' : 'pglite', [lifecycleService({ env: clock.env, redriver: false })]);
  let call = caller(system.url);
  const people = await cast(system);
  await launchProgramme(call, people, 'tz-i');
  await proposalInPublicity(call, people, 'tz-i', 'p-i', CODES.lead, clock.set);
  const body = { objectionId: 'o-1', lodgedOn: '2018-07-02', summary: 'Overstated patents' };
  const post = (key: string, b: unknown, token = people.alice) =>
    call('POST', '/v1/projects/p-i/objections', { token, body: b, headers: { 'idempotency-key': key } });

  const first = await post('key-1', body);
  t.equal(first.status, 200);
  const count = await system.eventCount();

  t.test('a retry with the same key and body returns the original answer and appends nothing', async (t) => {
    const retry = await post('key-1', body);
    t.equal(retry.status, 200);
    t.same(retry.body, first.body);
    t.equal(retry.headers.get('idempotent-replayed'), 'true');
    t.equal(retry.headers.get('etag'), first.headers.get('etag'));
    t.equal(await system.eventCount(), count);
  });

  t.test('the same key with another body is 422 and changes nothing', async (t) => {
    const other = await post('key-1', { ...body, summary: 'Something else' });
    t.equal(other.status, 422);
    t.equal(other.body.code, 'IDEMPOTENCY_KEY_REUSED');
    t.equal(await system.eventCount(), count);
  });

  t.test('keys belong to their caller: another subject may use the same key', async (t) => {
    const bob = await post('key-1', { ...body, objectionId: 'o-2' }, people.bob);
    t.equal(bob.status, 200);
    t.equal(await system.eventCount(), count + 1);
  });

  t.test('a refusal is answered again the same way', async (t) => {
    const refused = await post('key-2', { objectionId: 'o-1', lodgedOn: '2018-07-02', summary: 'duplicate id' });
    t.equal(refused.status, 409);
    const again = await post('key-2', { objectionId: 'o-1', lodgedOn: '2018-07-02', summary: 'duplicate id' });
    t.equal(again.status, 409);
    t.same(again.body.code, refused.body.code);
  });

  t.test('keys survive a restart', async (t) => {
    system = await system.restart();
    call = caller(system.url);
    const before = await system.eventCount();
    const retry = await post('key-1', body);
    t.equal(retry.status, 200);
    t.same(retry.body, first.body);
    t.equal(await system.eventCount(), before);
  });

  t.test('a workflow retried with its key writes each step once', async (t) => {
    await proposalInPublicity(call, people, 'tz-i', 'p-w', CODES.lead, clock.set);
    const approve = () => call('POST', '/v1/projects/p-w/approval', { token: people.ann, body: {}, headers: { 'idempotency-key': 'approve-p-w' } });
    const [a, b] = await Promise.all([approve(), approve()]);
    const statuses = [a!.status, b!.status].sort();
    t.ok(statuses[0] === 200 && [200, 409].includes(statuses[1]!), `one answer, the other replayed or told to wait: ${statuses}`);
    const later = await approve();
    t.equal(later.status, 200);
    const programme = await call('GET', '/v1/programmes/tz-i', { token: people.alice });
    t.equal((programme.body.state as { selectedCount: number }).selectedCount, 1, 'one place taken');
  });

  t.test('a malformed key is 400', async (t) => {
    const bad = await post('has spaces in it', body);
    t.equal(bad.status, 400);
    t.equal(bad.body.code, 'VALIDATION_FAILED');
  });
});
