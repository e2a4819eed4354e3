import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { taizhouPolicy, type Actor } from '@gongguan/domain';
import { createSqlEventStore } from '@gongguan/event-store';
import { createHttpApp, createLogger, ensureDevKeys, keyResolver, readPrivateJwk, signToken } from '@gongguan/platform';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels, startProjector } from '@gongguan/projections';
import { onProgramme, onProject, seededRandom, World } from '@gongguan/projections/generate';
import { reportingRoutes } from '../src/app.js';
import { caughtUp } from './caught-up.js';

/**
 * The annual report's overdue items, the due list and the project list say the same on the same
 * day (one definition: reporting.due_items_as_of). Three projects signed 2018-08-01, cycle to
 * 2020-07-31, acceptance by 2020-10-31 (a 3-month window), all still in advancement at the end of
 * 2020: p-returned's milestone was reported and returned, p-reported's was reported and never
 * accepted, p-silent's was never reported. Every milestone and every acceptance is overdue.
 */
const logger = createLogger({ level: 'silent' });
const keyDir = mkdtempSync(join(tmpdir(), 'gg-overdue-report-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
const keys = await ensureDevKeys(keyDir);
const reporter = await signToken(readPrivateJwk(keys.privateJwk), { subject: 'reporter-1', roles: ['reporter'] });

const officer: Actor = { id: 'officer-li', role: 'officer' };
const officer2: Actor = { id: 'officer-wang', role: 'officer' };
const approver: Actor = { id: 'approver-zhao', role: 'approver' };
const reviewer: Actor = { id: 'expert-chen', role: 'reviewer' };
const policy = { ...taizhouPolicy, acceptanceWindowMonths: 3 };

function story(): World {
  const w = new World(seededRandom(5));
  onProgramme(w, 'tz-2018', 'LaunchProgramme', { programmeId: 'tz-2018', name: '台州市2018年度十大技术攻关项目', bureau: '台州市科学技术局', bureauCode: '331000', quota: 10, focusIndustries: [], policy }, officer, '2018-04-01');
  onProgramme(w, 'tz-2018', 'OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' }, officer, '2018-04-02');
  const programme = { programmeId: 'tz-2018', bureauCode: '331000', policy, focusIndustries: [], solicitation: { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null } };
  ['p-returned', 'p-reported', 'p-silent'].forEach((projectId, i) => {
    const lead = { name: `台州泵业${i}有限公司`, creditCode: '91331000MA28A1B2CY' };
    onProject(w, projectId, 'SubmitProject', { projectId, programme, title: `水泵${i}`, leadEnterprise: lead, partners: [], industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000 }, officer, '2018-06-01');
    onProject(w, projectId, 'RecordFormalReview', { passed: true, reasons: [] }, officer2, '2018-06-05');
    onProject(w, projectId, 'AssignExpertReviewer', { reviewerId: reviewer.id, name: '陈', employerCreditCode: '12331000470000123J' }, officer, '2018-06-10');
    onProject(w, projectId, 'ScoreProject', { score: 88 }, reviewer, '2018-06-20');
    onProject(w, projectId, 'StartPublicity', { startsOn: '2018-07-10' }, officer, '2018-07-09');
    onProgramme(w, 'tz-2018', 'ReserveSelectionSlot', { projectId }, approver, '2018-07-17');
    onProject(w, projectId, 'ApproveProject', { selection: { programmeId: 'tz-2018', slot: i + 1, quota: 10 } }, approver, '2018-07-17');
    onProject(w, projectId, 'SignTaskBook', { startOn: '2018-08-01', approvedFunding: 200_000_000, milestones: [{ milestoneId: 'm1', title: '水力模型验证', dueOn: '2019-02-01' }], indicators: [] }, officer, '2018-07-25');
  });
  for (const projectId of ['p-returned', 'p-reported']) {
    onProject(w, projectId, 'ReportMilestone', { milestoneId: 'm1', reportedOn: '2019-01-20', summary: '完成', evidence: ['r.pdf'] }, officer, '2019-01-20');
  }
  onProject(w, 'p-returned', 'ReturnMilestone', { milestoneId: 'm1', reason: '证据不足' }, officer2, '2019-01-25');
  return w;
}

const expected = [
  'acceptance p-reported/acceptance 2020-10-31',
  'acceptance p-returned/acceptance 2020-10-31',
  'acceptance p-silent/acceptance 2020-10-31',
  'milestone p-reported/m1 2019-02-01',
  'milestone p-returned/m1 2019-02-01',
  'milestone p-silent/m1 2019-02-01',
];

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.test(`the report, the due list and the project list agree on what is overdue on ${db.name}`, async (t) => {
    const sql = await db.open();
    const store = await createSqlEventStore({ sql });
    await ensureReadModels(sql, allProjections);
    for (const a of story().flush()) await store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
    const projector = startProjector({ sql, store, projections: allProjections, logger });
    const app = await createHttpApp({ logger, auth: { keys: keyResolver({ jwksFile: keys.jwks }) }, title: 'overdue report test' });
    await reportingRoutes(app, { sql, clock: () => new Date('2021-06-30T04:00:00Z'), lastPosition: () => store.lastPosition(), maxWaitMs: 300 });
    await app.ready();
    t.teardown(async () => {
      await projector.stop();
      await app.close();
      await store.close();
      await sql.close();
      await db.drop();
    });
    await caughtUp(sql, store);
    const json = async <T>(url: string): Promise<T> => {
      const res = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${reporter}` } });
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json<T>();
    };
    type Item = { kind: string; projectId: string; itemId: string; dueOn: string };
    const keysOf = (items: Item[]) => items.map((i) => `${i.kind} ${i.projectId}/${i.itemId} ${i.dueOn}`).sort();

    const annual = await json<{ asOf: string; overdue: { total: number; items: Item[] } }>('/v1/reporting/annual?year=2020');
    t.equal(annual.asOf, '2020-12-31');
    t.strictSame(keysOf(annual.overdue.items), expected, 'the annual report: returned and unaccepted milestones, acceptance in either stage');
    t.equal(annual.overdue.total, expected.length);

    const due = await json<{ items: Item[] }>('/v1/reporting/due?overdue=true&asOf=2020-12-31&limit=100');
    t.strictSame(keysOf(due.items), expected, 'the due list says the same');

    const projects = await json<{ items: Array<{ projectId: string; milestonesOverdue: number; acceptanceOverdue: boolean }> }>('/v1/reporting/projects?overdue=true&asOf=2020-12-31');
    t.strictSame(
      projects.items.map((p) => [p.projectId, p.milestonesOverdue, p.acceptanceOverdue]),
      [
        ['p-reported', 1, true],
        ['p-returned', 1, true],
        ['p-silent', 1, true],
      ],
      'the project list counts the same',
    );

    const milestones = await json<{ items: Array<{ projectId: string; status: string }> }>('/v1/reporting/milestones?overdue=true&asOf=2020-12-31');
    t.strictSame(milestones.items.map((m) => `${m.projectId} ${m.status}`).sort(), ['p-reported reported', 'p-returned returned', 'p-silent pending'], 'the milestone calendar flags the same');

    const early = await json<{ overdue: { items: Item[] } }>('/v1/reporting/quarterly?year=2019&quarter=1');
    t.strictSame(keysOf(early.overdue.items), expected.filter((k) => k.startsWith('milestone')), 'at the end of 2019Q1 only the milestones');
  });
}
