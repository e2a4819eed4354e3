import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

type ProgrammeView = { selectedCount: number; reservations: Record<string, number> };
type ProjectView = { status: string; selectionSlot: number | null };

for (const kind of kinds) {
  t.test(`${kind}: approval within the quota`, async (t) => {
    const clock = testClock('2018-07-20T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    const programmeOf = async (id: string) => (await call('GET', `/v1/programmes/${id}`, { token: people.alice })).body.state as ProgrammeView;
    const projectOf = async (id: string) => (await call('GET', `/v1/projects/${id}`, { token: people.alice })).body.state as ProjectView;

    t.test('50 parallel approvals with one If-Match: one 200, 49 × 412, the place and the approval agree', async (t) => {
      await launchProgramme(call, people, 'tz-r', 3);
      await proposalInPublicity(call, people, 'tz-r', 'r-1', CODES.lead, clock.set);
      const etag = (await call('GET', '/v1/projects/r-1', { token: people.ann })).headers.get('etag')!;
      const before = await system.eventCount();
      const answers = await Promise.all(Array.from({ length: 50 }, () => call('POST', '/v1/projects/r-1/approval', { token: people.ann, headers: { 'if-match': etag }, body: {} })));
      const statuses = answers.map((a) => a.status);
      t.same({ ok: statuses.filter((s) => s === 200).length, stale: statuses.filter((s) => s === 412).length }, { ok: 1, stale: 49 }, `statuses: ${statuses.join(',')}`);
      t.equal(await system.eventCount(), before + 2, 'one place and one approval written, nothing else');
      const project = await projectOf('r-1');
      const programme = await programmeOf('tz-r');
      t.equal(project.status, 'approved');
      t.equal(programme.selectedCount, 1);
      t.equal(programme.reservations['r-1'], project.selectionSlot, 'the programme holds the place the project was approved in');
      const won = answers.find((a) => a.status === 200)!;
      t.same((won.body.steps as Array<{ stream: string }>).map((s) => s.stream), ['programme-tz-r', 'project-r-1'], 'both streams in the answer');
    });

    t.test('a quota-1 programme: of 8 racing approvals exactly one project is approved', async (t) => {
      await launchProgramme(call, people, 'tz-one', 1);
      const ids = Array.from({ length: 8 }, (_, i) => `one-${i}`);
      for (const id of ids) await proposalInPublicity(call, people, 'tz-one', id, CODES.lead, clock.set);
      const answers = await Promise.all(ids.map((id) => call('POST', `/v1/projects/${id}/approval`, { token: people.ann, body: {} })));
      t.equal(answers.filter((a) => a.status === 200).length, 1, 'one approval');
      t.ok(answers.every((a) => a.status === 200 || (a.status === 409 && ['QUOTA_REACHED', 'CONCURRENCY_CONFLICT'].includes(String(a.body.code)))), 'the rest 409');
      const approved = (await Promise.all(ids.map(projectOf))).filter((p) => p.status === 'approved');
      t.equal(approved.length, 1);
      const { selectedCount, reservations } = await programmeOf('tz-one');
      t.same({ selectedCount, reservations }, { selectedCount: 1, reservations: { [ids[answers.findIndex((a) => a.status === 200)]!]: 1 } });
    });

    t.test("releasing an approved project's place is refused, also once it is terminated; the quota stays full", async (t) => {
      await launchProgramme(call, people, 'tz-rel', 1);
      await proposalInPublicity(call, people, 'tz-rel', 'rel-1', CODES.lead, clock.set);
      await proposalInPublicity(call, people, 'tz-rel', 'rel-2', CODES.lead, clock.set);
      t.equal((await call('POST', '/v1/projects/rel-1/approval', { token: people.ann, body: {} })).status, 200);
      const release = () => call('POST', '/v1/programmes/tz-rel/selection-slots/rel-1/release', { token: people.ann, body: { reason: 'make room' } });
      const before = await system.eventCount();
      const refused = await release();
      t.equal(refused.status, 409);
      t.equal(refused.body.code, 'SELECTION_SLOT_IN_USE');
      t.equal(await system.eventCount(), before, 'nothing written');
      t.equal((await call('POST', '/v1/projects/rel-1/termination', { token: people.ann, body: { reason: 'enterprise closed' } })).status, 200);
      t.equal((await release()).body.code, 'SELECTION_SLOT_IN_USE', 'terminated: still its place');
      const second = await call('POST', '/v1/projects/rel-2/approval', { token: people.ann, body: {} });
      t.equal(second.body.code, 'QUOTA_REACHED', 'no eleventh project in a ten-project programme');
      const unknown = await call('POST', '/v1/programmes/tz-rel/selection-slots/rel-2/release', { token: people.ann, body: { reason: 'x' } });
      t.same([unknown.status, unknown.body.code], [409, 'SELECTION_SLOT_NOT_FOUND'], 'a project holding no place');
    });
  });
}
