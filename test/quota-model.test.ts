import fc from 'fast-check';
import t from 'tap';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, type Call, type Cast, type SetClock } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * The quota under any interleaving, over real HTTP: random batches of approve, reject, release
 * and terminate (this API's withdrawal of a selected project) sent in parallel across several
 * projects of small-quota programmes, some with a fresh If-Match, some with a stale one, some
 * without. After every run: approved ≤ quota, every approved project holds exactly one place,
 * no place is held twice, every answer is 200, 409 or 412, and a stale If-Match is always 412.
 *
 * Replay a failure with QUOTA_MODEL_SEED=<seed> (and QUOTA_MODEL_PATH=<path> as fast-check
 * prints it); QUOTA_MODEL_RUNS sets the number of runs per database (default 3).
 */

const PROJECTS_PER_PROGRAMME = 3;
const runs = Number(process.env.QUOTA_MODEL_RUNS ?? 3);
const seed = process.env.QUOTA_MODEL_SEED === undefined ? Date.now() % 2_147_483_647 : Number(process.env.QUOTA_MODEL_SEED);
const path = process.env.QUOTA_MODEL_PATH;

type Kind = 'approve' | 'reject' | 'release' | 'terminate';
type Precondition = 'none' | 'fresh' | 'stale';
interface Op {
  kind: Kind;
  programme: number;
  project: number;
  ifMatch: Precondition;
}

const op: fc.Arbitrary<Op> = fc.record({
  // Approvals most often: they are what races for the places.
  kind: fc.constantFrom<Kind>('approve', 'approve', 'approve', 'reject', 'release', 'terminate'),
  programme: fc.integer({ min: 0, max: 1 }),
  project: fc.integer({ min: 0, max: PROJECTS_PER_PROGRAMME - 1 }),
  ifMatch: fc.constantFrom<Precondition>('none', 'none', 'fresh', 'stale'),
});
const scenario = fc.record({
  quotas: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  batches: fc.array(fc.array(op, { minLength: 2, maxLength: 8 }), { minLength: 2, maxLength: 5 }),
});

type ProgrammeView = { selectedCount: number; reservations: Record<string, number>; quota: number };
type ProjectView = { status: string; selectionSlot: number | null };
interface Answer {
  op: Op;
  status: number;
  code: unknown;
  sentRevision: number | undefined;
}

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);
t.comment(`quota model: seed ${seed}${path ? `, path ${path}` : ''}, ${runs} runs per database`);

for (const kind of kinds) {
  t.test(`${kind}: the quota holds under random interleavings`, async (t) => {
    const clock = testClock('2018-07-20T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false })]);
    const call = caller(system.url);
    const people = await cast(system);
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ quotas, batches }) => {
        run++;
        const programmes = [`m${run}a`, `m${run}b`];
        const projects = programmes.map((p) => Array.from({ length: PROJECTS_PER_PROGRAMME }, (_, i) => `${p}-${i}`));
        await Promise.all(programmes.map((programmeId, k) => launchProgramme(call, people, programmeId, quotas[k], clock.set)));
        await proposalsInPublicity(call, people, clock.set, programmes, projects);
        const answers: Answer[] = [];
        for (const batch of batches) {
          answers.push(...(await runBatch(call, people, programmes, projects, batch)));
        }
        await checkInvariants(call, people, programmes, projects, quotas, answers);
      }),
      { numRuns: runs, seed, endOnFailure: true, ...(path ? { path } : {}) },
    );
    t.pass(`${run} runs: the invariants held`);
  });
}

/**
 * `proposalInPublicity` for every project at once, phase by phase, so the shared clock says the
 * day each phase happens on (a publicity period cannot start before "today").
 */
async function proposalsInPublicity(call: Call, people: Cast, at: SetClock, programmes: string[], projects: string[][]): Promise<void> {
  const must = async (path: string, token: string, body: unknown) => {
    const res = await call('POST', path, { token, body });
    if (res.status >= 300) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  };
  const all = programmes.flatMap((programmeId, k) => projects[k]!.map((projectId) => ({ programmeId, P: `/v1/projects/${projectId}`, projectId })));
  at('2018-06-01T02:00:00Z');
  await Promise.all(
    all.map(async ({ programmeId, projectId, P }) => {
      await must(`/v1/programmes/${programmeId}/proposals`, people.alice, {
        projectId, title: `Project ${projectId}`, leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: CODES.lead }, partners: [],
        industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulics'], requestedFunding: 300_000_000,
      });
      await must(`${P}/formal-review`, people.bob, { passed: true });
      await must(`${P}/reviewers`, people.alice, { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: CODES.university });
      await must(`${P}/scores`, people.chen, { score: 80 });
    }),
  );
  at('2018-07-01T02:00:00Z');
  await Promise.all(all.map(({ P }) => must(`${P}/publicity`, people.alice, { startsOn: '2018-07-01' })));
  at('2018-07-20T02:00:00Z');
}

/** Reads the revisions the batch's If-Match headers are based on, then sends the whole batch at once. */
async function runBatch(call: Call, people: Cast, programmes: string[], projects: string[][], batch: readonly Op[]): Promise<Answer[]> {
  const revisions = new Map<string, number>();
  const revisionOf = async (url: string) => {
    if (!revisions.has(url)) revisions.set(url, Number((await call('GET', url, { token: people.alice })).body.revision));
    return revisions.get(url)!;
  };
  const prepared = await Promise.all(
    batch.map(async (o) => {
      const programmeId = programmes[o.programme]!;
      const projectId = projects[o.programme]![o.project]!;
      const url = {
        approve: `/v1/projects/${projectId}/approval`,
        reject: `/v1/projects/${projectId}/rejection`,
        terminate: `/v1/projects/${projectId}/termination`,
        release: `/v1/programmes/${programmeId}/selection-slots/${projectId}/release`,
      }[o.kind];
      // Release's If-Match is the programme's revision; the others' the project's.
      const guarded = o.kind === 'release' ? `/v1/programmes/${programmeId}` : `/v1/projects/${projectId}`;
      const current = o.ifMatch === 'none' ? undefined : await revisionOf(guarded);
      // A revision the stream has already passed: it can never be current again.
      const sentRevision = current === undefined ? undefined : o.ifMatch === 'stale' ? current - 1 : current;
      return { o, url, sentRevision };
    }),
  );
  return Promise.all(
    prepared.map(async ({ o, url, sentRevision }) => {
      const res = await call('POST', url, {
        token: people.ann,
        body: o.kind === 'approve' ? {} : { reason: `model ${o.kind}` },
        headers: sentRevision === undefined ? {} : { 'if-match': `"${sentRevision}"` },
      });
      return { op: o, status: res.status, code: res.body.code, sentRevision };
    }),
  );
}

async function checkInvariants(call: Call, people: Cast, programmes: string[], projects: string[][], quotas: readonly number[], answers: readonly Answer[]): Promise<void> {
  const describe = (a: Answer) => `${a.op.kind} ${projects[a.op.programme]![a.op.project]} (If-Match ${a.op.ifMatch} ${a.sentRevision ?? ''}) → ${a.status} ${String(a.code ?? '')}`;
  const unexpected = answers.filter((a) => ![200, 201, 409, 412].includes(a.status));
  if (unexpected.length > 0) throw new Error(`answers other than 200/201/409/412: ${unexpected.map(describe).join('; ')}`);
  const staleNot412 = answers.filter((a) => a.op.ifMatch === 'stale' && a.status !== 412);
  if (staleNot412.length > 0) throw new Error(`a stale If-Match not answered 412: ${staleNot412.map(describe).join('; ')}`);

  for (const [k, programmeId] of programmes.entries()) {
    const programme = (await call('GET', `/v1/programmes/${programmeId}`, { token: people.alice })).body.state as ProgrammeView;
    const states = await Promise.all(projects[k]!.map(async (id) => [id, (await call('GET', `/v1/projects/${id}`, { token: people.alice })).body.state as ProjectView] as const));
    // Approved or beyond: a project that was approved keeps its place (terminated included).
    const selected = states.filter(([, s]) => s.selectionSlot !== null);
    const summary = `${programmeId} (quota ${quotas[k]}): places ${JSON.stringify(programme.reservations)}, projects ${JSON.stringify(states)}`;
    if (selected.length > quotas[k]!) throw new Error(`more approved than the quota: ${summary}`);
    for (const [id, s] of selected) {
      if (programme.reservations[id] !== s.selectionSlot) throw new Error(`${id} approved in place ${s.selectionSlot} the programme does not hold for it: ${summary}`);
    }
    const held = Object.entries(programme.reservations);
    if (held.some(([id]) => !selected.some(([sid]) => sid === id))) throw new Error(`a place held for a project that is not approved: ${summary}`);
    if (new Set(held.map(([, slot]) => slot)).size !== held.length) throw new Error(`a place held twice: ${summary}`);
    if (held.some(([, slot]) => slot < 1 || slot > quotas[k]!)) throw new Error(`a place outside 1..quota: ${summary}`);
    if (programme.selectedCount !== held.length) throw new Error(`selectedCount ${programme.selectedCount} ≠ places held: ${summary}`);
    const approvals = answers.filter((a) => a.op.kind === 'approve' && a.op.programme === k && a.status === 200).length;
    if (approvals !== selected.length) throw new Error(`${approvals} approvals answered 200 but ${selected.length} projects selected: ${summary}`);
  }
}
