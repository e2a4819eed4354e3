import { addDays, project, taizhouPolicy, type Actor, type ProgrammePolicy, type ProjectCommand, type ProjectState } from '@gongguan/domain';
import fc from 'fast-check';
import { on, onProgramme, onProject, seededRandom, World } from '../src/generate/load.js';

/** Random project histories for the overdue agreement test: what happens after the task book is signed, and when. */
const officer: Actor = { id: 'officer-li', role: 'officer' };
const officer2: Actor = { id: 'officer-wang', role: 'officer' };
const approver: Actor = { id: 'approver-zhao', role: 'approver' };
const reviewer: Actor = { id: 'expert-chen', role: 'reviewer' };
const lead = { name: '台州泵业有限公司', creditCode: '91331000MA28A1B2CY' };

/** An index into the task book's milestones (taken modulo their number). */
const milestone = fc.integer({ min: 0, max: 3 });
const rectification = fc.integer({ min: 0, max: 2 });

/** One step of a history: a command a day some days after the previous one. Refusals are part of the game. */
export const stepArb = fc.record({
  gap: fc.integer({ min: 0, max: 40 }),
  action: fc.oneof(
    { weight: 24, arbitrary: fc.record({ kind: fc.constant('report' as const), milestone, offset: fc.integer({ min: -10, max: 5 }) }) },
    { weight: 18, arbitrary: fc.record({ kind: fc.constant('accept' as const), milestone }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('return' as const), milestone }) },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('order' as const), rectification, dueIn: fc.integer({ min: 0, max: 60 }) }) },
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('complete' as const), rectification, offset: fc.integer({ min: -15, max: 3 }) }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('requestExtension' as const), months: fc.integer({ min: 1, max: 6 }) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('decideExtension' as const), approved: fc.boolean() }) },
    { weight: 10, arbitrary: fc.record({ kind: fc.constant('advance' as const) }) },
    { weight: 8, arbitrary: fc.record({ kind: fc.constant('apply' as const), offset: fc.integer({ min: -20, max: 0 }) }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('conclude' as const), result: fc.constantFrom('passed', 'passed_after_rectification', 'failed') }) },
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('close' as const) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('terminate' as const) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('suspend' as const) }) },
    { weight: 16, arbitrary: fc.record({ kind: fc.constant('resume' as const) }) },
  ),
});
type Generated<A> = A extends fc.Arbitrary<infer T> ? T : never;
export type Step = Generated<typeof stepArb>;

export const historyArb = fc.record({
  cycleMonths: fc.integer({ min: 2, max: 8 }),
  acceptanceWindowMonths: fc.integer({ min: 0, max: 3 }),
  extensionRequestLeadMonths: fc.integer({ min: 0, max: 2 }),
  startIn: fc.integer({ min: 0, max: 20 }),
  milestoneDays: fc.array(fc.integer({ min: 0, max: 240 }), { minLength: 1, maxLength: 3 }),
  steps: fc.array(stepArb, { minLength: 10, maxLength: 45 }),
});
export type History = Generated<typeof historyArb>;

/** Writes one project's history into a world, as the lifecycle API would; returns its id, state and dates worth checking. */
export function writeHistory(w: World, n: number, h: History): { projectId: string; state: ProjectState; dates: string[] } {
  const programmeId = `pg-${n}`;
  const projectId = `p-${n}`;
  const policy: ProgrammePolicy = { ...taizhouPolicy, cycleMonths: h.cycleMonths, acceptanceWindowMonths: h.acceptanceWindowMonths, extensionRequestLeadMonths: h.extensionRequestLeadMonths, extensionMaxMonths: 6 };
  onProgramme(w, programmeId, 'LaunchProgramme', { programmeId, name: '台州市技术攻关项目', bureau: '台州市科学技术局', bureauCode: '331000', quota: 1, focusIndustries: [], policy }, officer, '2018-04-01');
  onProgramme(w, programmeId, 'OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' }, officer, '2018-04-02');
  const programme = { programmeId, bureauCode: '331000', policy, focusIndustries: [], solicitation: { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null } };
  onProject(w, projectId, 'SubmitProject', { projectId, programme, title: '高效潜水泵', leadEnterprise: lead, partners: [], industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000 }, officer, '2018-06-01');
  onProject(w, projectId, 'RecordFormalReview', { passed: true, reasons: [] }, officer2, '2018-06-05');
  onProject(w, projectId, 'AssignExpertReviewer', { reviewerId: reviewer.id, name: '陈', employerCreditCode: '12331000470000123J' }, officer, '2018-06-10');
  onProject(w, projectId, 'ScoreProject', { score: 88 }, reviewer, '2018-06-20');
  onProject(w, projectId, 'StartPublicity', { startsOn: '2018-07-10' }, officer, '2018-07-09');
  onProgramme(w, programmeId, 'ReserveSelectionSlot', { projectId }, approver, '2018-07-17');
  onProject(w, projectId, 'ApproveProject', { selection: { programmeId, slot: 1, quota: 1 } }, approver, '2018-07-17');
  const startOn = addDays('2018-07-20', h.startIn);
  const cycleDays = h.cycleMonths * 28;
  const milestones = h.milestoneDays.map((d, i) => ({ milestoneId: `m${i}`, title: `节点${i}`, dueOn: addDays(startOn, d % cycleDays) }));
  onProject(w, projectId, 'SignTaskBook', { startOn, approvedFunding: 200_000_000, milestones, indicators: [] }, officer, '2018-07-25');

  const dates = ['2018-07-25', startOn, ...milestones.map((m) => m.dueOn)];
  let today = '2018-07-25';
  const exec = (type: string, data: unknown, actor: Actor) => {
    const command = { type, data, actor, at: on(today) } as unknown as ProjectCommand;
    w.exec(project.decider, project.streamName(projectId), command, today);
  };
  /** The action's milestone among those it can apply to now (so most steps are not refused), else by its index. */
  const pick = (index: number, statuses: readonly string[]): string => {
    const current = w.state<ProjectState>(project.streamName(projectId))?.milestones ?? {};
    const fitting = Object.entries(current).filter(([, m]) => statuses.includes(m.status)).map(([id]) => id);
    return fitting[index % Math.max(fitting.length, 1)] ?? `m${index % milestones.length}`;
  };
  const openRectification = (index: number): string => {
    const current = w.state<ProjectState>(project.streamName(projectId))?.rectifications ?? {};
    const open = Object.entries(current).filter(([, r]) => r.status === 'open').map(([id]) => id);
    return open[index % Math.max(open.length, 1)] ?? `rc${index}`;
  };
  for (const { gap, action } of h.steps) {
    today = addDays(today, gap);
    dates.push(today);
    switch (action.kind) {
      case 'report':
        exec('ReportMilestone', { milestoneId: pick(action.milestone, ['pending', 'returned']), reportedOn: addDays(today, action.offset), summary: '完成', evidence: ['r.pdf'] }, officer);
        break;
      case 'accept':
        exec('AcceptMilestone', { milestoneId: pick(action.milestone, ['reported']) }, officer2);
        break;
      case 'return':
        exec('ReturnMilestone', { milestoneId: pick(action.milestone, ['reported']), reason: '证据不足' }, officer2);
        break;
      case 'order':
        exec('OrderRectification', { rectificationId: `rc${action.rectification}`, issue: '经费使用不规范', dueOn: addDays(today, action.dueIn) }, officer);
        dates.push(addDays(today, action.dueIn));
        break;
      case 'complete':
        exec('CompleteRectification', { rectificationId: openRectification(action.rectification), completedOn: addDays(today, action.offset), evidence: '整改报告' }, officer);
        dates.push(addDays(today, action.offset));
        break;
      case 'requestExtension':
        exec('RequestExtension', { months: action.months, reason: '样机返工' }, officer);
        break;
      case 'decideExtension':
        exec('DecideExtension', { approved: action.approved }, approver);
        break;
      case 'advance':
        exec('AdvanceStage', { to: 'promotion' }, officer);
        break;
      case 'apply':
        exec('ApplyForAcceptance', { appliedOn: addDays(today, action.offset), summary: '申请验收' }, officer);
        dates.push(addDays(today, action.offset));
        break;
      case 'conclude':
        exec('ConcludeAcceptance', { result: action.result, concludedOn: today }, approver);
        break;
      case 'close':
        exec('CloseProject', {}, officer);
        break;
      case 'terminate':
        exec('TerminateProject', { reason: '企业破产' }, approver);
        break;
      case 'suspend':
        exec('SuspendProject', { reason: '资金问题' }, officer);
        break;
      case 'resume':
        exec('ResumeProject', { reason: '资金到位' }, officer);
        break;
      default:
        return action satisfies never;
    }
  }
  const state = w.state<ProjectState>(project.streamName(projectId));
  if (state === undefined) throw new Error(`no state for ${projectId}`);
  if (state.taskBook !== null && state.policy !== null) {
    const end = state.taskBook.endOn;
    dates.push(end, state.taskBook.originalEndOn);
  }
  return { projectId, state, dates };
}

export const newWorld = (seed: number): World => new World(seededRandom(seed));
