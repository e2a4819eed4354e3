/**
 * Back-recording over HTTP (`Effective-Date`): a bureau enters facts from before it used Gongguan.
 * The rules read each fact's own date; every event says who entered it; a stream's effective dates
 * never go backwards; and a whole project entered after the fact folds to the same states as the
 * same project recorded live on a business clock, on PGlite and PostgreSQL.
 */
import t from 'tap';
import type { RecordedEvent } from '@gongguan/event-store';
import { caller } from './support/api.js';
import { CODES } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock, type RunningSystem } from './support/system.js';
import { driver, driveWholeProject, type People } from './support/whole-project.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

async function everything(system: RunningSystem): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = (await import('@gongguan/event-store')).START_POSITION;
  for (;;) {
    const page = await system.store.readAll({ after, limit: 10_000 });
    out.push(...page.events);
    after = page.position;
    if (page.caughtUp) return out;
  }
}

async function people(system: RunningSystem): Promise<People> {
  return {
    alice: await system.token('officer', 'alice'),
    bob: await system.token('officer', 'bob'),
    chen: await system.token('reviewer', 'expert-chen'),
    ann: await system.token('approver', 'ann'),
    fay: await system.token('finance', 'fay'),
    gus: await system.token('finance', 'gus'),
  };
}

const proposal = (projectId: string) => ({
  projectId,
  title: '高效节能潜水泵水力模型关键技术攻关',
  leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: CODES.lead },
  partners: [],
  industry: 'pumps',
  county: 'Wenling',
  principalInvestigator: { name: 'Wang Wei' },
  keyTechnologies: ['hydraulics'],
  requestedFunding: 300_000_000,
});

for (const kind of kinds) {
  t.test(`${kind}: a 2018 programme entered in 2026 takes proposals as of 2018, and says who entered them`, async (t) => {
    const system = await startSystem(t, kind, [lifecycleService()]);
    const call = caller(system.url);
    const alice = await system.token('officer', 'alice');
    const as = (date: string) => ({ 'effective-date': date });

    const launched = await call('POST', '/v1/programmes', {
      token: alice,
      headers: as('2018-04-20'),
      body: { programmeId: 'tz-2018', name: '台州市2018年十大技术攻关项目', bureau: '台州市科技局', quota: 10, focusIndustries: ['pumps'] },
    });
    t.equal(launched.status, 201, JSON.stringify(launched.body));
    t.equal((await call('POST', '/v1/programmes/tz-2018/solicitation/opening', { token: alice, headers: as('2018-04-25'), body: { opensOn: '2018-05-01', closesOn: '2018-07-31' } })).status, 200);

    const live = await call('POST', '/v1/programmes/tz-2018/proposals', { token: alice, body: proposal('p-live') });
    t.equal(live.status, 409, 'entered live, the 2018 window is long closed');
    t.equal(live.body.code, 'SOLICITATION_CLOSED');

    const before = await system.eventCount();
    const early = await call('POST', '/v1/programmes/tz-2018/proposals', { token: alice, headers: as('2018-04-28'), body: proposal('p-early') });
    t.equal(early.status, 409, 'before the window opened, as of 2018-04-28');
    t.equal(early.body.code, 'SOLICITATION_CLOSED');

    const inWindow = await call('POST', '/v1/programmes/tz-2018/proposals', { token: alice, headers: as('2018-06-01'), body: proposal('p-2018') });
    t.equal(inWindow.status, 201, JSON.stringify(inWindow.body));
    // The submission is two facts: ProjectSubmitted, and ProposalReceived on the programme.
    t.equal(await system.eventCount(), before + 2, 'the refusals wrote nothing');

    const events = await everything(system);
    const submitted = events.find((e) => e.type === 'ProjectSubmitted')!;
    t.equal(submitted.data.submittedOn, '2018-06-01', 'the rule and the fact read the effective date');
    t.equal(submitted.data.at, '2018-06-01T15:59:59.999Z', 'a date means the last moment of that day in Beijing');
    t.same(submitted.metadata.backRecorded, { by: 'alice', role: 'officer' });
    t.equal(submitted.metadata.effectiveDate, '2018-06-01');
    t.ok(submitted.metadata.recordedAt > '2026', 'recorded now');
    for (const e of events) t.ok(e.metadata.backRecorded, `${e.type} is marked back-recorded`);

    const backwards = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: as('2018-05-30'), body: { passed: true } });
    t.equal(backwards.status, 409, 'the project already holds a fact of 2018-06-01');
    t.equal(backwards.body.code, 'EFFECTIVE_DATE_BEFORE_STREAM');
    t.match(backwards.body.detail, /按日期先后补录/);

    const future = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: as('2999-01-01'), body: { passed: true } });
    t.equal(future.status, 422);
    t.equal(future.body.code, 'EFFECTIVE_DATE_IN_FUTURE');
    t.match(future.body.detail, /补录只能记录已发生的事实/);
    const futureInstant = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: as(new Date(Date.now() + 3_600_000).toISOString()), body: { passed: true } });
    t.equal(futureInstant.body.code, 'EFFECTIVE_DATE_IN_FUTURE', 'an instant an hour ahead is the future too');

    for (const bad of ['2018-02-30', '18-06-01', '2018-06-01 10:00', 'yesterday', '1989-12-31']) {
      const res = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: as(bad), body: { passed: true } });
      t.equal(res.status, 400, `Effective-Date ${bad} is refused`);
      t.equal(res.headers.get('content-type'), 'application/problem+json; charset=utf-8');
    }
    t.equal(await system.eventCount(), before + 2, 'no refusal wrote anything');

    const keyed = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: { ...as('2018-06-02'), 'idempotency-key': 'fr-1' }, body: { passed: true } });
    t.equal(keyed.status, 200);
    const otherDate = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: { ...as('2018-06-03'), 'idempotency-key': 'fr-1' }, body: { passed: true } });
    t.equal(otherDate.body.code, 'IDEMPOTENCY_KEY_REUSED', 'the same key with another effective date is another request');
    const replay = await call('POST', '/v1/projects/p-2018/formal-review', { token: alice, headers: { ...as('2018-06-02'), 'idempotency-key': 'fr-1' }, body: { passed: true } });
    t.equal(replay.headers.get('idempotent-replayed'), 'true');

    const liveAfter = await call('POST', '/v1/projects/p-2018/reviewers', { token: alice, body: { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: CODES.university } });
    t.equal(liveAfter.status, 200, 'a live command follows back-recorded facts');
    const last = (await everything(system)).at(-1)!;
    t.equal(last.metadata.backRecorded, undefined, 'a live fact is not marked');
  });

  t.test(`${kind}: a whole project entered after the fact folds to the same states as the same project recorded live`, async (t) => {
    // The story walks the 90 days before today; no step may lie ahead of the real clock.
    const ceiling = Date.now() - 60_000;
    const clamp = (iso: string) => new Date(Math.min(Date.parse(iso), ceiling)).toISOString();

    const clock = testClock('2018-01-01T00:00:00Z');
    const liveSystem = await startSystem(t, kind, [lifecycleService({ env: clock.env })]);
    const liveStory = await driveWholeProject(driver(caller(liveSystem.url)), await people(liveSystem), { programmeId: 'prog', projectId: 'proj' }, (iso) => clock.set(clamp(iso)));

    const backSystem = await startSystem(t, kind, [lifecycleService()]);
    const plain = caller(backSystem.url);
    let effective = '';
    const backCall: typeof plain = (method, path, options = {}) => plain(method, path, method === 'POST' ? { ...options, headers: { ...options.headers, 'effective-date': effective } } : options);
    const backStory = await driveWholeProject(driver(backCall), await people(backSystem), { programmeId: 'prog', projectId: 'proj' }, (iso) => (effective = clamp(iso)));
    t.same(backStory, liveStory);

    const liveEvents = await everything(liveSystem);
    const backEvents = await everything(backSystem);
    t.equal(backEvents.length, liveEvents.length, 'the same number of facts');
    t.same(
      backEvents.map((e) => [e.stream, e.type, e.data.at ?? null]),
      liveEvents.map((e) => [e.stream, e.type, e.data.at ?? null]),
      'the same facts in the same streams, effective at the same instants',
    );
    t.ok(backEvents.every((e) => e.metadata.backRecorded !== undefined), 'every back-recorded fact says who entered it');
    t.ok(liveEvents.every((e) => e.metadata.backRecorded === undefined), 'no live fact does');
    t.ok(backEvents.every((e) => typeof e.metadata.effectiveDate === 'string'), 'every back-recorded fact has its effective date');

    const auditor = async (system: RunningSystem) => system.token('auditor', 'audrey');
    const streams = [...new Set(liveEvents.map((e) => e.stream))];
    const paths = streams.flatMap((s) =>
      s.startsWith('project-') ? [`/v1/projects/${s.slice(8)}`] : s.startsWith('programme-') ? [`/v1/programmes/${s.slice(10)}`] : s.startsWith('disbursement-') ? [`/v1/disbursements/${s.slice(13)}`] : [],
    );
    t.ok(paths.length >= 5, `compares ${paths.length} aggregates`);
    const liveCall = caller(liveSystem.url);
    for (const path of paths) {
      const a = await liveCall('GET', path, { token: await auditor(liveSystem) });
      const b = await plain('GET', path, { token: await auditor(backSystem) });
      t.equal(a.status, 200, path);
      // Ids the server generates (a clawback's) are random in both runs.
      const generic = (body: unknown) => JSON.parse(JSON.stringify(body).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')) as unknown;
      t.same(generic(b.body), generic(a.body), `${path} folds to the same state`);
    }
  });
}
