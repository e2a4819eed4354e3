/**
 * The lifecycle API keeps folded states between commands (services/lifecycle-api/src/commands/
 * aggregate-cache.ts). Here another writer, which that cache cannot see (the store used directly,
 * as a second lifecycle-api replica would), changes the streams behind its back: every answer must
 * be the one the stream as it is now gives, never the cached one.
 */
import { parseEvent, project } from '@gongguan/domain';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

/** Appends a copy of `template` to `stream` with fresh ids, as another process would. */
async function appendBehind(store: EventStore, stream: string, template: RecordedEvent, data: Record<string, unknown>): Promise<number> {
  const current = await store.readStream(stream);
  const result = await store.append(
    stream,
    [{ id: crypto.randomUUID(), type: template.type, schemaVersion: template.schemaVersion, data: { ...template.data, ...data }, metadata: { actorId: 'replica-b', actorRole: 'officer', correlationId: crypto.randomUUID() } }],
    { expectedRevision: current[current.length - 1]!.revision },
  );
  return result.nextRevision;
}

function fold(events: RecordedEvent[]): unknown {
  return events.reduce((state, e) => project.decider.evolve(state, parseEvent(e) as never), project.decider.initialState);
}

for (const kind of kinds) {
  t.test(`${kind}: the state cache never answers from a stale state`, async (t) => {
    const clock = testClock('2018-05-01T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    await launchProgramme(call, people, 'tz-k');
    // p-2 goes through publicity over HTTP: its events are the templates of the other writer's.
    await proposalInPublicity(call, people, 'tz-k', 'p-2', CODES.lead, clock.set);
    const p2 = await system.store.readStream('project-p-2');
    const publicity = p2.find((e) => e.type === 'PublicityStarted')!;
    clock.set('2018-06-01T02:00:00Z');
    await call('POST', '/v1/programmes/tz-k/proposals', {
      token: people.alice,
      body: { projectId: 'p-1', title: 'Project p-1', leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: '91331000MA2AB12341' }, partners: [], industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['x'], requestedFunding: 1_000 },
    });
    for (const [path, token, body] of [
      ['formal-review', people.bob, { passed: true }],
      ['reviewers', people.alice, { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: '12331000470000001L' }],
      ['scores', people.chen, { score: 80 }],
    ] as const) {
      const res = await call('POST', `/v1/projects/p-1/${path}`, { token, body });
      t.equal(res.status, 200, path);
    }
    clock.set('2018-07-20T02:00:00Z');
    const objection = (id: string) => ({ objectionId: id, lodgedOn: '2018-07-02', summary: `objection ${id}` });

    const refused = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, body: objection('o-1') });
    t.equal(refused.status, 409, 'not in publicity yet: refused (and the state is now cached)');

    let revision = await appendBehind(system.store, 'project-p-1', publicity, { projectId: 'p-1' });
    const allowed = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, body: objection('o-1') });
    t.equal(allowed.status, 200, 'publicity started behind the cache: the refusal is checked against the stream and the command decided again');
    t.equal(allowed.body.revision, revision + 1);

    const lodged = (await system.store.readStream('project-p-1')).find((e) => e.type === 'ObjectionLodged')!;
    revision = await appendBehind(system.store, 'project-p-1', lodged, { objectionId: 'o-behind' });
    const again = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, body: objection('o-2') });
    t.equal(again.status, 200, 'the cached revision is stale: the append is refused, the stream read again, the command decided again');
    t.equal(again.body.revision, revision + 1);

    const duplicate = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, body: objection('o-behind') });
    t.equal(duplicate.status, 409, "an objection id the other writer used: refused from the stream's state");

    const cachedRevision = Number(again.body.revision);
    revision = await appendBehind(system.store, 'project-p-1', lodged, { objectionId: 'o-behind-2' });
    const stale = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, headers: { 'if-match': `"${cachedRevision}"` }, body: objection('o-3') });
    t.equal(stale.status, 412, 'If-Match equal to the cached revision, but the stream moved: 412');
    t.equal(stale.body.currentRevision, revision);
    const current = await call('POST', '/v1/projects/p-1/objections', { token: people.alice, headers: { 'if-match': `"${revision}"` }, body: objection('o-3') });
    t.equal(current.status, 200, 'If-Match equal to the stream, ahead of the cache: accepted');

    revision = await appendBehind(system.store, 'project-p-1', lodged, { objectionId: 'o-behind-3' });
    const got = await call('GET', '/v1/projects/p-1', { token: people.alice });
    const stored = await system.store.readStream('project-p-1');
    t.equal(got.body.revision, revision, 'GET reads what the cache missed');
    t.same(got.body.state, JSON.parse(JSON.stringify(fold(stored))), 'and its state is the fold of the whole stream');
    t.same(Object.keys((got.body.state as { objections: object }).objections).sort(), ['o-1', 'o-2', 'o-3', 'o-behind', 'o-behind-2', 'o-behind-3']);
  });
}
