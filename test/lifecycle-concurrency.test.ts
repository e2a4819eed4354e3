import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: concurrency control`, async (t) => {
    const clock = testClock('2018-07-20T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    await launchProgramme(call, people, 'tz-c');
    await proposalInPublicity(call, people, 'tz-c', 'p-1', CODES.lead, clock.set);

    t.test('GET returns the revision as ETag; a stale If-Match is 412 with the current revision', async (t) => {
      const got = await call('GET', '/v1/projects/p-1', { token: people.alice });
      const etag = got.headers.get('etag')!;
      t.equal(etag, `"${got.body.revision}"`);
      const before = await system.eventCount();
      const stale = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, headers: { 'if-match': '"1"' }, body: { lodgedOn: '2018-07-02', summary: 'x' } });
      t.equal(stale.status, 412);
      t.equal(stale.body.code, 'PRECONDITION_FAILED');
      t.equal(stale.body.currentRevision, got.body.revision);
      t.equal(stale.headers.get('etag'), etag);
      t.equal(await system.eventCount(), before, 'nothing appended');
      const fresh = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, headers: { 'if-match': etag }, body: { objectionId: 'o1', lodgedOn: '2018-07-02', summary: 'x' } });
      t.equal(fresh.status, 200);
      t.equal(fresh.body.revision, Number(got.body.revision) + 1);
      t.equal(fresh.headers.get('etag'), `"${fresh.body.revision}"`);
    });

    t.test('50 parallel commands on one revision: exactly one succeeds, the rest 412, no partial writes', async (t) => {
      const got = await call('GET', '/v1/projects/p-1', { token: people.alice });
      const etag = got.headers.get('etag')!;
      const before = await system.eventCount();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          call('POST', '/v1/projects/p-1/objections', {
            token: people.alice,
            headers: { 'if-match': etag },
            body: { objectionId: `v-${i}`, lodgedOn: '2018-07-03', summary: `objection ${i}` },
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      t.equal(statuses.filter((s) => s === 200).length, 1, 'one winner');
      t.equal(statuses.filter((s) => s === 412).length, 49, 'everyone else is told the resource moved on');
      t.equal(await system.eventCount(), before + 1, 'exactly one event appended');
    });

    t.test('without If-Match, conflicting commands are decided again on the new state', async (t) => {
      const before = await system.eventCount();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call('POST', '/v1/projects/p-1/objections', { token: people.alice, body: { objectionId: `w-${i}`, lodgedOn: '2018-07-04', summary: `w ${i}` } }),
        ),
      );
      const ok = results.filter((r) => r.status === 200);
      const conflicts = results.filter((r) => r.status === 409);
      t.equal(ok.length + conflicts.length, 20, 'every answer is a success or a 409 conflict');
      for (const c of conflicts) t.equal(c.body.code, 'CONCURRENCY_CONFLICT');
      t.ok(ok.length >= 5, `most succeed after re-deciding (${ok.length} of 20)`);
      t.equal(await system.eventCount(), before + ok.length, 'one event per success, none for a conflict');
      const revisions = ok.map((r) => Number(r.body.revision)).sort((a, b) => a - b);
      t.equal(new Set(revisions).size, revisions.length, 'each success has its own revision');
    });

    t.test('the quota holds when approvals race', async (t) => {
      await launchProgramme(call, people, 'tz-q', 1);
      await proposalInPublicity(call, people, 'tz-q', 'q-1', CODES.lead, clock.set);
      await proposalInPublicity(call, people, 'tz-q', 'q-2', CODES.lead, clock.set);
      const [a, b] = await Promise.all([
        call('POST', '/v1/projects/q-1/approval', { token: people.ann, body: {} }),
        call('POST', '/v1/projects/q-2/approval', { token: people.ann, body: {} }),
      ]);
      t.same([a!.status, b!.status].sort(), [200, 409]);
      const refused = a!.status === 409 ? a! : b!;
      t.equal(refused.body.code, 'QUOTA_REACHED');
      t.match(String(refused.body.detail), /1 of 1/);
      const programme = await call('GET', '/v1/programmes/tz-q', { token: people.alice });
      t.equal((programme.body.state as { selectedCount: number }).selectedCount, 1);
    });
  });
}
