import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { lifecycleService, startSystem, testClock } from './support/system.js';

t.test('bad input on every command route is a 4xx problem and appends nothing', async (t) => {
  const clock = testClock('2018-07-20T02:00:00Z');
  const system = await startSystem(t, 'pglite', [lifecycleService({ env: clock.env, redriver: false })]);
  const call = caller(system.url);
  const people = await cast(system);
  await launchProgramme(call, people, 'tz-b');
  await proposalInPublicity(call, people, 'tz-b', 'p-b', CODES.lead, clock.set);
  const everyone = await system.token(['officer', 'reviewer', 'approver', 'finance', 'admin'], 'mallory');
  const routes = system.app.routesTable.filter((r) => r.method === 'POST' && r.url.startsWith('/v1/'));
  t.ok(routes.length >= 40, `${routes.length} command routes found in the route table`);
  const concrete = (url: string) =>
    url.replace(':programmeId', 'tz-b').replace(':projectId', 'p-b').replace(':creditCode', CODES.lead).replace(':year', '2019').replace(/:[A-Za-z]+/g, 'x1');
  const before = await system.eventCount();
  const cases: Array<{ name: string; raw?: string; body?: unknown; headers?: Record<string, string>; status: number }> = [
    { name: 'an unknown field', body: { surprise: true }, status: 400 },
    { name: 'an array instead of an object', body: [1, 2], status: 400 },
    { name: 'broken JSON', raw: '{"amount": ', status: 400 },
    { name: 'a body that is not JSON', raw: 'amount=1', headers: { 'content-type': 'application/x-www-form-urlencoded' }, status: 415 },
    { name: 'a huge body', raw: JSON.stringify({ summary: 'x'.repeat(1_100_000) }), status: 413 },
    { name: 'deeply nested JSON', raw: `${'['.repeat(5000)}${']'.repeat(5000)}`, status: 400 },
  ];
  // An evidence upload's body is the file itself: any JSON is a type not allowed (415), checked
  // after the resource exists (a disbursement x1 does not: 404). An import carries its file in a
  // JSON body of up to 16 MiB, so 1.1 MB of JSON is read and refused by its schema (400).
  const expected = (url: string, c: (typeof cases)[number]): number[] => {
    if (url.endsWith('/evidence')) return url.startsWith('/v1/disbursements/') ? [404] : [415];
    if (url === '/v1/imports' && c.name === 'a huge body') return [400];
    return [c.status];
  };
  for (const route of routes) {
    for (const c of cases) {
      const res = await call('POST', concrete(route.url), {
        token: everyone,
        ...(c.raw !== undefined ? { raw: c.raw } : { body: c.body }),
        ...(c.headers ? { headers: c.headers } : {}),
      });
      if (!expected(route.url, c).includes(res.status) || !String(res.headers.get('content-type')).startsWith('application/problem+json')) {
        t.fail(`${route.url} with ${c.name}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
  }
  t.pass(`${routes.length} routes × ${cases.length} kinds of bad input answered with the expected problem`);
  t.equal(await system.eventCount(), before, 'not one event appended');

  t.test('values the domain refuses at the door', async (t) => {
    const proposal = (patch: Record<string, unknown>) =>
      call('POST', '/v1/programmes/tz-b/proposals', {
        token: people.alice,
        body: {
          title: 'Bad', leadEnterprise: { name: 'X', creditCode: CODES.lead }, industry: 'pumps', county: 'Wenling',
          principalInvestigator: { name: 'W' }, keyTechnologies: ['k'], requestedFunding: 100, ...patch,
        },
      });
    const badCode = await proposal({ leadEnterprise: { name: 'X', creditCode: '91331000MA2AB12342' } });
    t.equal(badCode.status, 400);
    t.match(JSON.stringify(badCode.body.errors), /body\.leadEnterprise\.creditCode/);
    for (const amount of [12.5, -1, 2 ** 53, '12.50', '1e3']) {
      const res = await proposal({ requestedFunding: amount });
      t.equal(res.status, 400, `requestedFunding ${JSON.stringify(amount)} is refused`);
      t.match(JSON.stringify(res.body.errors), /requestedFunding/);
    }
    const string = await proposal({ projectId: 'p-str', requestedFunding: '1000' });
    t.equal(string.status, 201, 'a decimal string of whole fen is accepted');
    const date = await call('POST', '/v1/projects/p-b/objections', { token: people.alice, body: { lodgedOn: '2019-02-29', summary: 'x' } });
    t.equal(date.status, 400, '2019-02-29 does not exist');
    // A proposal is two facts: ProjectSubmitted, and ProposalReceived on its programme.
    t.equal(await system.eventCount(), before + 2, 'only the good proposal was written');
  });

  t.test('refusals are problem+json with the domain code', async (t) => {
    clock.set('2018-06-01T02:00:00Z');
    await call('POST', '/v1/programmes/tz-b/proposals', {
      token: people.alice,
      body: { projectId: 'p-c', title: 'C', leadEnterprise: { name: 'X', creditCode: CODES.lead }, industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'W' }, keyTechnologies: ['k'], requestedFunding: 100 },
    });
    await call('POST', '/v1/projects/p-c/formal-review', { token: people.bob, body: { passed: true } });
    await call('POST', '/v1/projects/p-c/reviewers', { token: people.alice, body: { reviewerId: 'expert-lee', name: 'Lee', employerCreditCode: CODES.lead } });
    const lee = await system.token('reviewer', 'expert-lee');
    const conflicted = await call('POST', '/v1/projects/p-c/scores', { token: lee, body: { score: 99 } });
    t.equal(conflicted.status, 403);
    t.match(conflicted.body, { code: /CONFLICT_OF_INTEREST/, status: 403, type: /^urn:gongguan:problem:/ });

    const stranger = await system.token('reviewer', 'expert-nobody');
    const unassigned = await call('POST', '/v1/projects/p-c/scores', { token: stranger, body: { score: 50 } });
    t.ok([403, 404, 409].includes(unassigned.status), `an unassigned reviewer is refused (${unassigned.status} ${String(unassigned.body.code)})`);

    clock.set('2018-07-20T02:00:00Z');
    const submitterApproves = await system.token(['officer', 'approver'], 'alice');
    const own = await call('POST', '/v1/projects/p-b/approval', { token: submitterApproves, body: {} });
    t.equal(own.status, 403, 'whoever submitted a proposal cannot approve it');
    t.equal(own.body.code, 'FOUR_EYES_VIOLATION');
    const programme = await call('GET', '/v1/programmes/tz-b', { token: people.alice });
    t.same((programme.body.state as { reservations: object }).reservations, {}, 'no place of the quota was taken');

    const missing = await call('POST', '/v1/projects/nope/recommendation', { token: people.alice, body: { county: 'Wenling' } });
    t.ok([404, 409].includes(missing.status), `a missing project is refused (${missing.status})`);
    const wrongRole = await call('POST', '/v1/projects/p-b/approval', { token: people.alice, body: {} });
    t.equal(wrongRole.status, 403);
    t.equal(wrongRole.body.code, 'FORBIDDEN');
  });
});
