import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSystem } from './system.js';
import type { caller } from './api.js';

export const CODES = {
  lead: '91331000MA2AB12341',
  partner: '52331000MA2K12345W',
  buyer: '91331004MA2DK5678L',
  university: '12331000470000001L',
};

export type Call = ReturnType<typeof caller>;
/** Moves the test clock to the day a step happens; business rules look at "today". */
export type SetClock = (iso: string) => void;
const noClock: SetClock = () => undefined;

/**
 * The business clock of a service run as its own process (BUSINESS_CLOCK_FILE, tests only): a
 * file holding an ISO instant, and the SetClock that rewrites it.
 */
export function clockFile(dir: string, start = '2018-05-01T02:00:00Z'): { path: string; at: SetClock } {
  const path = join(dir, 'business-clock');
  writeFileSync(path, start);
  return { path, at: (iso) => writeFileSync(path, iso) };
}

/** Tokens of the cast: two officers, a reviewer, an approver, two finance officers, an auditor. */
export async function cast(system: RunningSystem) {
  return {
    alice: await system.token('officer', 'alice'),
    bob: await system.token('officer', 'bob'),
    chen: await system.token('reviewer', 'expert-chen'),
    ann: await system.token('approver', 'ann'),
    fay: await system.token('finance', 'fay'),
    gus: await system.token('finance', 'gus'),
    auditor: await system.token('auditor', 'audrey'),
  };
}

export type Cast = Awaited<ReturnType<typeof cast>>;

async function must(call: Call, method: string, path: string, token: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await call(method, path, { token, body });
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function launchProgramme(call: Call, people: Cast, programmeId: string, quota = 10, at: SetClock = noClock): Promise<void> {
  at('2018-05-01T02:00:00Z');
  await must(call, 'POST', '/v1/programmes', people.alice, { programmeId, name: `Programme ${programmeId}`, bureau: 'Taizhou S&T Bureau', quota, focusIndustries: ['pumps'] });
  await must(call, 'POST', `/v1/programmes/${programmeId}/solicitation/opening`, people.alice, { opensOn: '2018-05-01', closesOn: '2018-07-31' });
}

/** A proposal through formal and expert review and publicity: ready for approval. */
export async function proposalInPublicity(call: Call, people: Cast, programmeId: string, projectId: string, lead = CODES.lead, at: SetClock = noClock): Promise<void> {
  at('2018-06-01T02:00:00Z');
  await must(call, 'POST', `/v1/programmes/${programmeId}/proposals`, people.alice, {
    projectId, title: `Project ${projectId}`, leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: lead }, partners: [],
    industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulics'], requestedFunding: 300_000_000,
  });
  const P = `/v1/projects/${projectId}`;
  await must(call, 'POST', `${P}/formal-review`, people.bob, { passed: true });
  await must(call, 'POST', `${P}/reviewers`, people.alice, { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: CODES.university });
  await must(call, 'POST', `${P}/scores`, people.chen, { score: 80 });
  // Publicity cannot start before "today": the clock moves to its first day.
  at('2018-07-01T02:00:00Z');
  await must(call, 'POST', `${P}/publicity`, people.alice, { startsOn: '2018-07-01' });
  at('2018-07-20T02:00:00Z');
}

/** A selected project with its milestones accepted, in promotion, with one contract `c1`. */
export async function projectInPromotion(call: Call, people: Cast, programmeId: string, projectId: string, lead = CODES.lead, at: SetClock = noClock): Promise<void> {
  await proposalInPublicity(call, people, programmeId, projectId, lead, at);
  const P = `/v1/projects/${projectId}`;
  await must(call, 'POST', `${P}/approval`, people.ann, {});
  await must(call, 'POST', `${P}/task-book`, people.alice, {
    startOn: '2018-08-01', approvedFunding: 200_000_000,
    milestones: [{ milestoneId: 'm1', title: 'Model validated', dueOn: '2019-02-01' }],
    indicators: [{ name: 'Efficiency', target: '≥ 82%' }],
  });
  at('2019-01-26T02:00:00Z');
  await must(call, 'POST', `${P}/milestones/m1/report`, people.alice, { reportedOn: '2019-01-25', summary: 'done', evidence: ['r.pdf'] });
  await must(call, 'POST', `${P}/milestones/m1/acceptance`, people.bob, {});
  at('2019-08-05T02:00:00Z');
  await must(call, 'POST', `${P}/stage`, people.alice, { to: 'promotion' });
  await must(call, 'POST', `${P}/contracts`, people.alice, {
    // The project's enterprise takes the achievement on (受让方) and pays for it: R2 goes to it by default.
    contractId: 'c1', title: 'Licence', transferor: { name: 'Taizhou University', creditCode: CODES.university }, transferee: { name: 'Taizhou Pump Co.', creditCode: lead },
    amount: 5_000_000_000, signedOn: '2019-09-01',
  });
}
