import t from 'tap';
import { taizhouPolicy, type Actor } from '@gongguan/domain';
import { onProgramme, onProject, seededRandom, World } from '../src/generate/load.js';
import { databases, projectToHead } from './helpers.js';

const officer: Actor = { id: 'officer-li', role: 'officer' };
const lead = { name: '台州泵业有限公司', creditCode: '91331000MA28A1B2CY' };
const ref = (type: string) => ({ eventId: `e-${type}`, type });

/** Corrections as the lifecycle API writes them: an amended window and policy, a withdrawn programme, a withdrawn proposal. */
function story(): World {
  const w = new World(seededRandom(1));
  const launch = (id: string) =>
    onProgramme(w, id, 'LaunchProgramme', { programmeId: id, name: `计划 ${id}`, bureau: '台州市科学技术局', bureauCode: '331000', quota: 10, focusIndustries: [], policy: taizhouPolicy }, officer, '2018-04-01');
  launch('amended');
  onProgramme(w, 'amended', 'OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-05-31' }, officer, '2018-04-02');
  onProgramme(w, 'amended', 'CloseSolicitation', { closedOn: '2018-04-03' }, officer, '2018-04-03');
  onProgramme(w, 'amended', 'AmendSolicitationWindow', { opensOn: '2018-05-01', closesOn: '2018-07-31', reason: '截止日期录入错误', corrects: ref('SolicitationClosed') }, officer, '2018-04-04');
  onProgramme(w, 'amended', 'AmendProgrammePolicy', { policy: { ...taizhouPolicy, publicityDays: 5 }, reason: '公示期应为5天', corrects: ref('ProgrammeLaunched') }, officer, '2018-04-05');
  const programme = { programmeId: 'amended', bureauCode: '331000', policy: { ...taizhouPolicy, publicityDays: 5 }, focusIndustries: [], solicitation: { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null } };
  onProject(w, 'p1', 'SubmitProject', { projectId: 'p1', programme, title: '高效潜水泵水力模型', leadEnterprise: lead, partners: [], industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000 }, officer, '2018-06-01');
  onProject(w, 'p1', 'WithdrawProposal', { reason: '申报单位主动撤回', corrects: ref('ProjectSubmitted') }, officer, '2018-06-03');
  launch('gone');
  onProgramme(w, 'gone', 'WithdrawProgramme', { reason: '计划重复发布', corrects: ref('ProgrammeLaunched') }, officer, '2018-04-06');
  return w;
}

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);
for (const target of targets) {
  t.test('the read models fold the corrections: what is in force, and the withdrawn with their status', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    for (const a of story().flush()) await h.store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
    const projector = await projectToHead(h);
    t.teardown(() => projector.stop());
    const rows = async (text: string) => {
      const { rows } = await h.sql.query<{ j: string }>(`select row_to_json(t)::text as j from (${text}) t`);
      return rows.map((r) => JSON.parse(r.j) as Record<string, unknown>);
    };
    t.match(await rows(`select programme_id, status, opens_on, closes_on, closed_on, withdrawn_on, amended_on, projects_submitted, projects_withdrawn from reporting.programmes order by programme_id`), [
      { programme_id: 'amended', status: 'launched', opens_on: '2018-05-01', closes_on: '2018-07-31', closed_on: null, withdrawn_on: null, amended_on: '2018-04-05', projects_submitted: 1, projects_withdrawn: 1 },
      { programme_id: 'gone', status: 'withdrawn', withdrawn_on: '2018-04-06', amended_on: null, projects_submitted: 0 },
    ]);
    t.match(await rows(`select policy from proj_projects_g1.programmes where programme_id = 'amended'`), [{ policy: { publicityDays: 5 } }], 'the amended policy is the one in force');
    t.match(await rows(`select project_id, status, ended_on from reporting.projects_as_of('2018-06-10')`), [{ project_id: 'p1', status: 'withdrawn', ended_on: '2018-06-03' }]);
  });
}
