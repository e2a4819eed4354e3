import t from 'tap';
import { allInOne } from '../scripts/all-in-one.js';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme } from './support/story.js';
import { lifecycleService, startSystem, testClock } from './support/system.js';

t.test('a reviewer reads only the projects assigned to them, and only their own score', async (t) => {
  const clock = testClock('2018-06-01T02:00:00Z');
  const services = allInOne.services.map((s) => (s.name === 'lifecycle-api' ? lifecycleService({ env: clock.env, redriver: false }) : s));
  const system = await startSystem(t, 'pglite', services, { GONGGUAN_ENV: 'test' });
  const call = caller(system.url);
  const people = await cast(system);
  const lee = await system.token('reviewer', 'expert-lee');
  await launchProgramme(call, people, 'tz-r');
  clock.set('2018-06-01T02:00:00Z');
  const must = async (path: string, token: string, body: unknown) => {
    const res = await call('POST', path, { token, body });
    if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
  };
  for (const [projectId, reviewers] of [['p-both', ['expert-chen', 'expert-lee']], ['p-lee', ['expert-lee']]] as const) {
    await must('/v1/programmes/tz-r/proposals', people.alice, {
      projectId, title: projectId, leadEnterprise: { name: 'X', creditCode: CODES.lead }, industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'W' }, keyTechnologies: ['k'], requestedFunding: 100,
    });
    await must(`/v1/projects/${projectId}/formal-review`, people.bob, { passed: true });
    for (const reviewerId of reviewers) await must(`/v1/projects/${projectId}/reviewers`, people.alice, { reviewerId, name: reviewerId, employerCreditCode: CODES.university });
  }
  await must('/v1/projects/p-both/scores', people.chen, { score: 81 });
  await must('/v1/projects/p-both/scores', lee, { score: 62 });

  const mine = await call('GET', '/v1/projects/p-both', { token: people.chen });
  t.equal(mine.status, 200, 'an assigned project is readable');
  t.same(Object.keys((mine.body.state as { reviewers: object }).reviewers), ['expert-chen'], 'only their own entry');
  t.match(mine.body.state, { reviewers: { 'expert-chen': { score: 81 } } });
  t.notMatch(JSON.stringify(mine.body), /62|expert-lee/, "the other reviewer's score and name are not there");

  const other = await call('GET', '/v1/projects/p-lee', { token: people.chen });
  const missing = await call('GET', '/v1/projects/p-none', { token: people.chen });
  t.equal(other.status, 404, 'a project they are not assigned to is not found');
  t.equal(missing.status, 404);
  t.equal(other.body.code, missing.body.code, 'the same answer as for a project that does not exist');

  const officer = await call('GET', '/v1/projects/p-both', { token: people.alice });
  t.match(officer.body.state, { reviewers: { 'expert-chen': { score: 81 }, 'expert-lee': { score: 62 } } }, 'an officer sees every score');
  const both = await system.token(['reviewer', 'officer'], 'expert-chen');
  t.equal((await call('GET', '/v1/projects/p-lee', { token: both })).status, 200, 'another reader role reads as that role');

  for (const path of ['/v1/disbursements/d1', '/v1/subsidy-ledgers/r2/91331000MA2AB12341/2019', '/v1/reporting/projects', '/v1/reporting/projects/p-both', '/v1/audit/projects/p-both/state', '/v1/audit/projects/p-both/history']) {
    t.equal((await call('GET', path, { token: people.chen })).status, 403, `${path} is not for reviewers`);
  }
});
