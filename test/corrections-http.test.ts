import fc from 'fast-check';
import t from 'tap';
import { taizhouPolicy } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity, type Call, type Cast } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock, type RunningSystem } from './support/system.js';

/**
 * Corrections of programmes and proposals over HTTP (issue 19): amend a window or a policy while
 * no proposal depends on it, withdraw a programme or a proposal; each correction names the event
 * it corrects. And the race: a submission and an amendment of the window sent together, in any
 * interleaving, never leave a proposal accepted under a window an amendment had replaced.
 *
 * Replay a failure of the race with CORRECTIONS_RACE_SEED=<seed>; CORRECTIONS_RACE_RUNS sets the
 * number of runs per database (default 4).
 */

const runs = Number(process.env.CORRECTIONS_RACE_RUNS ?? 4);
const seed = process.env.CORRECTIONS_RACE_SEED === undefined ? Date.now() % 2_147_483_647 : Number(process.env.CORRECTIONS_RACE_SEED);

const proposal = (projectId: string) => ({
  projectId,
  title: `Project ${projectId}`,
  leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: CODES.lead },
  partners: [],
  industry: 'pumps',
  county: 'Wenling',
  principalInvestigator: { name: 'Wang Wei' },
  keyTechnologies: ['hydraulics'],
  requestedFunding: 300_000_000,
});

async function events(system: RunningSystem, stream: string): Promise<RecordedEvent[]> {
  try {
    return await system.store.readStream(stream);
  } catch {
    return [];
  }
}

async function must(call: Call, method: string, path: string, token: string, body: unknown) {
  const res = await call(method, path, { token, body });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res;
}

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);
t.comment(`corrections race: seed ${seed}, ${runs} runs per database`);

for (const kind of kinds) {
  t.test(`${kind}: corrections of programmes and proposals`, async (t) => {
    const clock = testClock('2018-05-01T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people: Cast = await cast(system);

    t.test('a window typed wrongly is amended (naming the original), then proposals come; then it is fixed', async (t) => {
      clock.set('2018-04-20T02:00:00Z');
      await must(call, 'POST', '/v1/programmes', people.alice, { programmeId: 'w1', name: 'W1', bureau: 'Taizhou S&T Bureau', quota: 3, focusIndustries: ['pumps'] });
      const opened = await must(call, 'POST', '/v1/programmes/w1/solicitation/opening', people.alice, { opensOn: '2018-05-01', closesOn: '2018-05-03' });
      const openedId = (opened.body.events as Array<{ id: string }>)[0]!.id;
      clock.set('2018-06-15T02:00:00Z');
      const late = await call('POST', '/v1/programmes/w1/proposals', { token: people.alice, body: proposal('w1-a') });
      t.equal(late.body.code, 'SOLICITATION_CLOSED', 'outside the window as typed');

      const amend = (body: unknown, token = people.alice) => call('POST', '/v1/programmes/w1/solicitation/amendment', { token, body });
      t.equal((await amend({ opensOn: '2018-05-01', closesOn: '2018-07-31', reason: 'typo' }, people.ann)).status, 403, 'an approver may not');
      t.equal((await amend({ opensOn: '2018-05-01', closesOn: '2018-07-31' })).status, 400, 'a reason is required');
      const amended = await amend({ opensOn: '2018-05-01', closesOn: '2018-07-31', reason: '截止日期录入错误' });
      t.equal(amended.status, 200);
      const stream = await events(system, 'programme-w1');
      const correction = stream.at(-1)!;
      t.match(correction, {
        type: 'SolicitationWindowAmended',
        data: { corrects: { eventId: openedId, type: 'SolicitationOpened' }, previous: { opensOn: '2018-05-01', closesOn: '2018-05-03', closedOn: null }, closesOn: '2018-07-31', reason: '截止日期录入错误', by: { id: 'alice' } },
      });
      t.match(stream.find((e) => e.id === openedId), { type: 'SolicitationOpened', data: { closesOn: '2018-05-03' } }, 'the original stays');

      t.equal((await call('POST', '/v1/programmes/w1/proposals', { token: people.alice, body: proposal('w1-a') })).status, 201, 'the amended window takes the proposal');
      t.match((await events(system, 'programme-w1')).at(-1), { type: 'ProposalReceived', data: { projectId: 'w1-a', submittedOn: '2018-06-15' } });
      const refused = await amend({ opensOn: '2018-05-01', closesOn: '2018-08-31', reason: 'again' });
      t.equal(refused.status, 409);
      t.match(refused.headers.get('content-type'), /application\/problem\+json/);
      t.match(refused.body, { code: 'PROGRAMME_HAS_PROPOSALS', detail: /^项目计划 w1 已收到 1 份申报/ });
      // A proposal of before ProposalReceived (its ProjectSubmitted alone) counts too.
      await must(call, 'POST', '/v1/programmes', people.alice, { programmeId: 'old', name: 'Old', bureau: 'Taizhou S&T Bureau', quota: 3, focusIndustries: ['pumps'] });
      await must(call, 'POST', '/v1/programmes/old/solicitation/opening', people.alice, { opensOn: '2018-05-01', closesOn: '2018-07-31' });
      const [legacy] = await events(system, 'project-w1-a');
      await system.store.append('project-old-1', [{ id: '0b6f1e42-5d0e-4c8e-9a55-8c1b2a9f0001', type: 'ProjectSubmitted', schemaVersion: legacy!.schemaVersion, data: { ...legacy!.data, projectId: 'old-1', programmeId: 'old' }, metadata: { actorId: 'alice', actorRole: 'officer', correlationId: 'legacy' } }], { expectedRevision: 'no_stream' });
      t.match((await call('POST', '/v1/programmes/old/solicitation/amendment', { token: people.alice, body: { opensOn: '2018-05-01', closesOn: '2018-08-31', reason: 'x' } })).body, { code: 'PROGRAMME_HAS_PROPOSALS', details: { proposals: 1 } });
      const policy = await call('POST', '/v1/programmes/w1/policy/amendment', { token: people.alice, body: { policy: { ...taizhouPolicy, publicityDays: 5 }, reason: 'x' } });
      t.match(policy.body, { code: 'PROGRAMME_HAS_PROPOSALS' });
    });

    t.test('a window closed by mistake is opened again; a policy is amended before any proposal', async (t) => {
      clock.set('2018-04-20T02:00:00Z');
      await must(call, 'POST', '/v1/programmes', people.alice, { programmeId: 'w2', name: 'W2', bureau: 'Taizhou S&T Bureau', quota: 3, focusIndustries: ['pumps'] });
      await must(call, 'POST', '/v1/programmes/w2/solicitation/opening', people.alice, { opensOn: '2018-05-01', closesOn: '2018-07-31' });
      const closed = await must(call, 'POST', '/v1/programmes/w2/solicitation/closing', people.alice, { closedOn: '2018-04-21' });
      const amended = await must(call, 'POST', '/v1/programmes/w2/solicitation/amendment', people.alice, { opensOn: '2018-05-01', closesOn: '2018-07-31', reason: '误关闭' });
      t.match((await events(system, 'programme-w2')).at(-1)!.data, { corrects: { eventId: (closed.body.events as Array<{ id: string }>)[0]!.id, type: 'SolicitationClosed' } });
      t.equal(amended.body.revision, 3);
      const state = (await call('GET', '/v1/programmes/w2', { token: people.alice })).body.state as { solicitation: unknown; policy: { publicityDays: number } };
      t.same(state.solicitation, { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null });
      const launchedId = (await events(system, 'programme-w2'))[0]!.id;
      await must(call, 'POST', '/v1/programmes/w2/policy/amendment', people.alice, { policy: { ...taizhouPolicy, publicityDays: 5 }, reason: '公示期应为5天' });
      t.match((await events(system, 'programme-w2')).at(-1), { type: 'ProgrammePolicyAmended', data: { corrects: { eventId: launchedId, type: 'ProgrammeLaunched' }, previous: { publicityDays: 7 }, policy: { publicityDays: 5 } } });
      clock.set('2018-06-01T02:00:00Z');
      await must(call, 'POST', '/v1/programmes/w2/proposals', people.alice, proposal('w2-a'));
      const project = (await call('GET', '/v1/projects/w2-a', { token: people.alice })).body.state as { policy: { publicityDays: number } };
      t.equal(project.policy.publicityDays, 5, 'the proposal carries the amended policy');
    });

    t.test('a withdrawn programme takes no proposals and no approvals; its pending proposals are withdrawn; with a selection it cannot be', async (t) => {
      await launchProgramme(call, people, 'gone', 3, clock.set);
      await proposalInPublicity(call, people, 'gone', 'gone-1', CODES.lead, clock.set);
      const withdrawn = await call('POST', '/v1/programmes/gone/withdrawal', { token: people.alice, body: { reason: '计划重复发布' } });
      t.equal(withdrawn.status, 200);
      t.match((await events(system, 'programme-gone')).at(-1), { type: 'ProgrammeWithdrawn', data: { pendingProposals: 1, corrects: { type: 'ProgrammeLaunched' } } });
      clock.set('2018-06-01T02:00:00Z');
      t.match((await call('POST', '/v1/programmes/gone/proposals', { token: people.alice, body: proposal('gone-2') })).body, { code: 'PROGRAMME_WITHDRAWN', detail: /^项目计划 gone 已于 .* 撤销/ });
      clock.set('2018-07-20T02:00:00Z');
      t.match((await call('POST', '/v1/projects/gone-1/approval', { token: people.ann, body: {} })).body, { code: 'PROGRAMME_WITHDRAWN' });
      t.match((await call('POST', '/v1/programmes/gone/solicitation/amendment', { token: people.alice, body: { opensOn: '2018-05-01', closesOn: '2018-09-30', reason: 'x' } })).body, { code: 'PROGRAMME_WITHDRAWN' });
      const before = await system.eventCount();
      t.match((await call('POST', '/v1/programmes/gone/withdrawal', { token: people.alice, body: { reason: 'again' } })).body, { code: 'PROGRAMME_WITHDRAWN' });
      t.equal(await system.eventCount(), before, 'a refusal writes nothing');
      t.equal((await call('POST', '/v1/projects/gone-1/withdrawal', { token: people.alice, body: { reason: '计划已撤销' } })).status, 200, 'the pending proposal is withdrawn');
      t.equal(((await call('GET', '/v1/projects/gone-1', { token: people.alice })).body.state as { status: string }).status, 'withdrawn');

      await launchProgramme(call, people, 'kept', 3, clock.set);
      await proposalInPublicity(call, people, 'kept', 'kept-1', CODES.lead, clock.set);
      await must(call, 'POST', '/v1/projects/kept-1/approval', people.ann, {});
      t.match((await call('POST', '/v1/programmes/kept/withdrawal', { token: people.alice, body: { reason: 'x' } })).body, { code: 'PROGRAMME_HAS_SELECTIONS' });
      t.match((await call('POST', '/v1/projects/kept-1/withdrawal', { token: people.alice, body: { reason: 'x' } })).body, { code: 'PROPOSAL_ALREADY_APPROVED', detail: /^项目 kept-1 已立项/ });
    });

    t.test('a withdrawn proposal names its submission; a stale If-Match is 412; a missing project 404', async (t) => {
      await launchProgramme(call, people, 'wp', 3, clock.set);
      clock.set('2018-06-01T02:00:00Z');
      const submitted = await must(call, 'POST', '/v1/programmes/wp/proposals', people.alice, proposal('wp-1'));
      const submittedId = (submitted.body.events as Array<{ id: string }>)[0]!.id;
      t.same((submitted.body.steps as Array<{ stream: string }>).map((s) => s.stream), ['programme-wp', 'project-wp-1'], 'the submission writes the programme and the project');
      t.equal((await call('POST', '/v1/projects/wp-1/withdrawal', { token: people.alice, body: { reason: 'x' }, headers: { 'if-match': '"7"' } })).status, 412);
      t.equal((await call('POST', '/v1/projects/nope/withdrawal', { token: people.alice, body: { reason: 'x' } })).status, 404);
      const done = await call('POST', '/v1/projects/wp-1/withdrawal', { token: people.alice, body: { reason: '申报单位主动撤回' }, headers: { 'if-match': '"0"' } });
      t.equal(done.status, 200);
      t.match((await events(system, 'project-wp-1')).at(-1), { type: 'ProposalWithdrawn', data: { corrects: { eventId: submittedId, type: 'ProjectSubmitted' }, previousStatus: 'submitted', reason: '申报单位主动撤回' } });
      t.match((await call('POST', '/v1/projects/wp-1/withdrawal', { token: people.alice, body: { reason: 'x' } })).body, { code: 'PROJECT_ENDED' });
    });

    t.test('a submission racing an amendment of the window: never accepted under the window the amendment replaced', async (t) => {
      // "Today" is 2018-06-15 throughout; the window as launched ends 2018-06-10.
      clock.set('2018-06-15T02:00:00Z');
      const windows = [
        { opensOn: '2018-05-01', closesOn: '2018-06-30' }, // takes today
        { opensOn: '2018-05-01', closesOn: '2018-06-14' }, // still not today
        { opensOn: '2018-06-15', closesOn: '2018-06-15' }, // today only
        { opensOn: '2018-06-16', closesOn: '2018-07-31' }, // from tomorrow
      ];
      const asLaunched = [
        { opensOn: '2018-05-01', closesOn: '2018-06-10' },
        { opensOn: '2018-05-01', closesOn: '2018-06-30' },
      ];
      type Op = { kind: 'submit' } | { kind: 'amend'; window: number };
      const op: fc.Arbitrary<Op> = fc.oneof(fc.constant<Op>({ kind: 'submit' }), fc.integer({ min: 0, max: windows.length - 1 }).map((window): Op => ({ kind: 'amend', window })));
      const scenario = fc.record({ launched: fc.integer({ min: 0, max: asLaunched.length - 1 }), ops: fc.array(fc.record({ op, delay: fc.integer({ min: 0, max: 6 }) }), { minLength: 2, maxLength: 9 }) });
      let run = 0;
      await fc.assert(
        fc.asyncProperty(scenario, async ({ launched, ops }) => {
          run++;
          const id = `race-${run}`;
          await must(call, 'POST', '/v1/programmes', people.alice, { programmeId: id, name: id, bureau: 'Taizhou S&T Bureau', quota: 3, focusIndustries: ['pumps'] });
          await must(call, 'POST', `/v1/programmes/${id}/solicitation/opening`, people.alice, asLaunched[launched]);
          const answers = await Promise.all(
            ops.map(async ({ op, delay }, i) => {
              await new Promise((resolve) => setTimeout(resolve, delay));
              const res =
                op.kind === 'submit'
                  ? await call('POST', `/v1/programmes/${id}/proposals`, { token: people.alice, body: proposal(`${id}-${i}`) })
                  : await call('POST', `/v1/programmes/${id}/solicitation/amendment`, { token: people.bob, body: { ...windows[op.window], reason: `amendment ${i}` } });
              return { op, i, status: res.status, code: String(res.body.code ?? '') };
            }),
          );
          for (const a of answers) {
            if (a.op.kind === 'submit') {
              if (!(a.status === 201 || (a.status === 409 && ['SOLICITATION_CLOSED', 'CONCURRENCY_CONFLICT'].includes(a.code)))) throw new Error(`submission ${a.i}: ${a.status} ${a.code}`);
            } else if (!(a.status === 200 || (a.status === 409 && ['PROGRAMME_HAS_PROPOSALS', 'CONCURRENCY_CONFLICT'].includes(a.code)))) {
              throw new Error(`amendment ${a.i}: ${a.status} ${a.code}`);
            }
          }
          // Fold the programme stream in order: every proposal lies in the window in force when it
          // was received, and no amendment comes after a proposal.
          const stream = await events(system, `programme-${id}`);
          let window: { opensOn: string; closesOn: string } | null = null;
          let received = 0;
          for (const e of stream) {
            const d = e.data as Record<string, string>;
            if (e.type === 'SolicitationOpened' || e.type === 'SolicitationWindowAmended') {
              if (received > 0) throw new Error(`${e.type} at revision ${e.revision} after ${received} proposal(s)`);
              window = { opensOn: d.opensOn!, closesOn: d.closesOn! };
            }
            if (e.type === 'ProposalReceived') {
              received++;
              if (window === null || d.submittedOn! < window.opensOn || d.submittedOn! > window.closesOn) {
                throw new Error(`proposal ${d.projectId} of ${d.submittedOn} received under the window ${JSON.stringify(window)}`);
              }
            }
          }
          const accepted = answers.filter((a) => a.op.kind === 'submit' && a.status === 201);
          if (received !== accepted.length) throw new Error(`${accepted.length} submissions answered 201, ${received} received on the programme`);
          for (const a of answers.filter((x) => x.op.kind === 'submit')) {
            const project = await events(system, `project-${id}-${a.i}`);
            if ((project.length > 0) !== (a.status === 201)) throw new Error(`submission ${a.i} answered ${a.status} but its project has ${project.length} event(s)`);
          }
        }),
        { numRuns: runs, seed, endOnFailure: true },
      );
      t.pass(`${run} runs: no proposal under a replaced window, no amendment after a proposal`);
    });
  });
}
