import t from 'tap';
import { allInOne } from '../scripts/all-in-one.js';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme } from './support/story.js';
import { lifecycleService, startSystem, testClock } from './support/system.js';

type Assignment = { projectId: string; reviewerId: string; projectTitle: string; leadName: string; industry: string; requestedFunding: number; status: string; score: number | null; projectStatus: string };

t.test("a reviewer lists their own assignments, each with its declaration or score, never another reviewer's", async (t) => {
  const clock = testClock('2018-06-01T02:00:00Z');
  const services = allInOne.services.map((s) => (s.name === 'lifecycle-api' ? lifecycleService({ env: clock.env, redriver: false }) : s));
  const system = await startSystem(t, 'pglite', services, { GONGGUAN_ENV: 'test' });
  const call = caller(system.url);
  const people = await cast(system);
  const lee = await system.token('reviewer', 'expert-lee');
  await launchProgramme(call, people, 'tz-a');
  clock.set('2018-06-01T02:00:00Z');
  let position = '';
  const must = async (path: string, token: string, body: unknown) => {
    const res = await call('POST', path, { token, body });
    if (res.status >= 300) throw new Error(`${path} → ${res.status} ${JSON.stringify(res.body)}`);
    position = String(res.body.position);
  };
  for (const [projectId, reviewers] of [['p-both', ['expert-chen', 'expert-lee']], ['p-lee', ['expert-lee']], ['p-conflict', ['expert-chen']]] as const) {
    await must('/v1/programmes/tz-a/proposals', people.alice, {
      projectId, title: `标题 ${projectId}`, leadEnterprise: { name: '温岭泵业', creditCode: CODES.lead }, industry: 'pumps', county: '温岭市', principalInvestigator: { name: 'W' }, keyTechnologies: ['k'], requestedFunding: 123456,
    });
    await must(`/v1/projects/${projectId}/formal-review`, people.bob, { passed: true });
    for (const reviewerId of reviewers) await must(`/v1/projects/${projectId}/reviewers`, people.alice, { reviewerId, name: reviewerId, employerCreditCode: CODES.university });
  }
  await must('/v1/projects/p-both/scores', people.chen, { score: 81 });
  await must('/v1/projects/p-both/scores', lee, { score: 62 });
  await must('/v1/projects/p-conflict/conflicts', people.chen, { reason: '曾为申报单位提供咨询' });

  const mine = await call('GET', `/v1/reporting/reviews?minPosition=${position}`, { token: people.chen });
  t.equal(mine.status, 200);
  const items = mine.body.items as Assignment[];
  t.same(items.map((i) => [i.projectId, i.reviewerId, i.status, i.score]), [['p-both', 'expert-chen', 'scored', 81], ['p-conflict', 'expert-chen', 'conflict', null]], 'only her own assignments, with her own score and declaration');
  t.match(items[0], { projectTitle: '标题 p-both', leadName: '温岭泵业', industry: 'pumps', requestedFunding: 123456, projectStatus: 'in_expert_review' }, 'what she needs of the proposal');
  t.notMatch(JSON.stringify(mine.body), /62|p-lee|expert-lee/, "another reviewer's assignment and score are not there");

  const filtered = await call('GET', '/v1/reporting/reviews?status=scored', { token: lee });
  t.same((filtered.body.items as Assignment[]).map((i) => [i.projectId, i.score]), [['p-both', 62]], 'filtered by status, still only his own');
  const page = await call('GET', '/v1/reporting/reviews?limit=1', { token: lee });
  t.equal((page.body.items as Assignment[]).length, 1);
  const next = await call('GET', `/v1/reporting/reviews?limit=1&cursor=${String(page.body.nextCursor)}`, { token: lee });
  t.same((next.body.items as Assignment[]).map((i) => i.projectId), ['p-lee'], 'paged by cursor');
  const stolen = await call('GET', `/v1/reporting/reviews?limit=1&cursor=${String(page.body.nextCursor)}`, { token: people.chen });
  t.equal(stolen.status, 400, "another reviewer's cursor is refused");

  for (const token of [people.alice, people.ann, people.fay]) t.equal((await call('GET', '/v1/reporting/reviews', { token })).status, 403, 'only reviewers read their assignments');
  t.equal((await call('GET', '/v1/reporting/projects', { token: people.ann })).status, 200, 'an approver reads the project list');
  t.equal((await call('GET', '/v1/reporting/disbursements', { token: people.fay })).status, 200, 'finance reads the disbursement ledger');
  const notAwarded = await call('GET', '/v1/reporting/projects?r1Awarded=false', { token: people.fay });
  t.same((notAwarded.body.items as Array<{ projectId: string }>).map((p) => p.projectId).sort(), ['p-both', 'p-conflict', 'p-lee'], 'no R1 grant awarded yet');
  t.same((await call('GET', '/v1/reporting/projects?r1Awarded=true', { token: people.fay })).body.items, []);
});
