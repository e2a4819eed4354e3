import { project } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import type { CommandDeps } from './command-route.js';
import { simpleCommand, type SimpleCommand } from './simple-command.js';

const P = '/v1/projects/:projectId';
const toProject = (p: Record<string, string>) => project.streamName(p.projectId!);
const projectRoute = (def: Omit<SimpleCommand, 'aggregate' | 'stream' | 'tags' | 'resource'> & { tags?: string[] }): SimpleCommand => ({
  aggregate: 'project',
  stream: toProject,
  resource: (p) => ({ kind: 'project', id: p.projectId! }),
  tags: def.tags ?? ['projects'],
  ...def,
});

/** Every project command that touches only the project's own stream. */
export const projectCommands: SimpleCommand[] = [
  projectRoute({ url: `${P}/recommendation`, type: 'RecommendProject', summary: 'A county bureau recommends the proposal (a county officer may, for a project of its county in a programme of a bureau above it)', tags: ['solicitation'], example: { county: 'Wenling', comment: 'Key enterprise of the county pump cluster' } }),
  projectRoute({ url: `${P}/formal-review`, type: 'RecordFormalReview', summary: 'Record the formal review (pass, or fail with reasons)', tags: ['solicitation'], example: { passed: true, reasons: [] } }),
  projectRoute({ url: `${P}/reviewers`, type: 'AssignExpertReviewer', summary: 'Assign an expert reviewer (their employer is checked for conflicts)', tags: ['solicitation'], example: { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: '12331000470000001L' } }),
  projectRoute({ url: `${P}/conflicts`, type: 'DeclareConflictOfInterest', summary: 'The calling reviewer declares a conflict of interest', tags: ['solicitation'], example: { reason: 'I advised the applicant in 2017' } }),
  projectRoute({ url: `${P}/scores`, type: 'ScoreProject', summary: 'The calling reviewer scores the proposal (0-100)', tags: ['solicitation'], example: { score: 88, comment: 'Clear plan, credible team' } }),
  projectRoute({ url: `${P}/publicity`, type: 'StartPublicity', summary: 'Start the publicity (公示) period', tags: ['solicitation'], example: { startsOn: '2018-07-10' } }),
  projectRoute({ url: `${P}/objections`, type: 'LodgeObjection', summary: 'Record an objection raised during publicity', tags: ['solicitation'], generatedIds: ['objectionId'], resourceId: (_p, b) => String(b.objectionId), example: { objectionId: 'obj-1', lodgedOn: '2018-07-12', summary: 'Applicant overstated its patents' } }),
  projectRoute({ url: `${P}/objections/:objectionId/resolution`, type: 'ResolveObjection', fromPath: ['objectionId'], summary: 'Resolve an objection (upheld or dismissed)', tags: ['solicitation'], example: { upheld: false, resolution: 'Patents verified with the IP office' } }),
  projectRoute({ url: `${P}/rejection`, type: 'RejectProject', summary: 'Reject the proposal', tags: ['solicitation'], example: { reason: 'Formal review failed: no co-operation agreement' } }),
  projectRoute({ url: `${P}/task-book`, type: 'SignTaskBook', summary: 'Sign the task book: start date, milestones, indicators; the project enters advancement', tags: ['solicitation'], example: { startOn: '2018-08-01', approvedFunding: 200000000, milestones: [{ milestoneId: 'm1', title: 'Hydraulic model validated', dueOn: '2019-02-01' }], indicators: [{ name: 'Efficiency', target: '≥ 82% at rated flow' }] } }),
  projectRoute({ url: `${P}/milestones/:milestoneId/report`, type: 'ReportMilestone', fromPath: ['milestoneId'], summary: 'Report a milestone with evidence', tags: ['advancement'], example: { reportedOn: '2019-01-25', summary: 'Model validated on the test rig', evidence: ['rig-report-2019-01.pdf'] } }),
  projectRoute({ url: `${P}/milestones/:milestoneId/acceptance`, type: 'AcceptMilestone', fromPath: ['milestoneId'], summary: 'Accept a reported milestone', tags: ['advancement'], example: { comment: 'Evidence complete' } }),
  projectRoute({ url: `${P}/milestones/:milestoneId/return`, type: 'ReturnMilestone', fromPath: ['milestoneId'], summary: 'Return a reported milestone for more work', tags: ['advancement'], example: { reason: 'Test data for the high-head case is missing' } }),
  projectRoute({ url: `${P}/tracking-visits`, type: 'RecordTrackingVisit', generatedIds: ['visitId'], resourceId: (_p, b) => String(b.visitId), summary: 'Record a tracking visit (跟踪服务)', tags: ['advancement'], example: { visitId: 'visit-2019-03', visitedOn: '2019-03-12', findings: 'Prototype line installed' } }),
  projectRoute({ url: `${P}/mid-term-check`, type: 'RecordMidTermCheck', summary: 'Record the mid-term check', tags: ['advancement'], example: { checkedOn: '2019-08-20', result: 'on_track', findings: 'Milestones on schedule' } }),
  projectRoute({ url: `${P}/rectifications`, type: 'OrderRectification', generatedIds: ['rectificationId'], resourceId: (_p, b) => String(b.rectificationId), summary: 'Order a rectification (整改) with a due date', tags: ['advancement'], example: { rectificationId: 'rect-1', issue: 'Budget spent outside the task book', dueOn: '2019-06-30' } }),
  projectRoute({ url: `${P}/rectifications/:rectificationId/completion`, type: 'CompleteRectification', fromPath: ['rectificationId'], summary: 'Record a rectification as completed', tags: ['advancement'], example: { completedOn: '2019-06-20', evidence: 'Corrected ledger attached' } }),
  projectRoute({ url: `${P}/changes`, type: 'RequestChange', generatedIds: ['changeId'], resourceId: (_p, b) => String(b.changeId), summary: 'Request a change of PI, budget or indicators', tags: ['advancement'], example: { changeId: 'chg-1', change: { kind: 'budget', budget: 180000000 }, reason: 'Equipment bought at a lower price' } }),
  projectRoute({ url: `${P}/changes/:changeId/decision`, type: 'DecideChange', fromPath: ['changeId'], summary: 'Approve or refuse a requested change (not by its requester)', tags: ['advancement'], example: { approved: true, comment: 'Agreed' } }),
  projectRoute({ url: `${P}/extension`, type: 'RequestExtension', summary: 'Request the one extension of the cycle', tags: ['advancement'], example: { months: 6, reason: 'Supplier delay of the motor prototype' } }),
  projectRoute({ url: `${P}/extension/decision`, type: 'DecideExtension', summary: 'Approve or refuse the extension (not by its requester)', tags: ['advancement'], example: { approved: true } }),
  projectRoute({ url: `${P}/suspension`, type: 'SuspendProject', summary: 'Suspend the project', tags: ['advancement'], example: { reason: 'Lead enterprise under restructuring' } }),
  projectRoute({ url: `${P}/resumption`, type: 'ResumeProject', summary: 'Resume a suspended project', tags: ['advancement'], example: { reason: 'Restructuring completed' } }),
  projectRoute({ url: `${P}/termination`, type: 'TerminateProject', summary: 'Terminate the project', tags: ['advancement'], example: { reason: 'Lead enterprise bankrupt' } }),
  projectRoute({ url: `${P}/stage`, type: 'AdvanceStage', summary: 'Advance to the next stage (advancement → promotion needs every milestone accepted and no open rectification)', example: { to: 'promotion' } }),
  projectRoute({ url: `${P}/contracts`, type: 'RegisterConversionContract', generatedIds: ['contractId'], resourceId: (_p, b) => String(b.contractId), summary: 'Register an achievement-conversion contract (成果转化)', tags: ['promotion'], example: { contractId: 'c1', title: 'Licence of the pump hydraulic model', transferor: { name: 'Taizhou University', creditCode: '12331000470000001L' }, transferee: { name: 'Taizhou Pump Co.', creditCode: '91331000MA2AB12341' }, amount: 250000000, signedOn: '2019-09-01' } }),
  projectRoute({ url: `${P}/acceptance-application`, type: 'ApplyForAcceptance', summary: 'Apply for acceptance (验收) within the window', tags: ['promotion'], example: { appliedOn: '2020-08-10', summary: 'All indicators met' } }),
  projectRoute({ url: `${P}/acceptance-conclusion`, type: 'ConcludeAcceptance', summary: 'Conclude acceptance: passed, passed after rectification, or failed', tags: ['promotion'], example: { result: 'passed', concludedOn: '2020-09-15' } }),
  projectRoute({ url: `${P}/closing`, type: 'CloseProject', summary: 'Close the project', tags: ['promotion'], example: { comment: 'Archived' } }),
  projectRoute({ url: `${P}/performance-grades`, type: 'GradeAnnualPerformance', summary: 'Grade the annual performance (优秀/良好/合格/不合格)', tags: ['promotion'], example: { year: 2019, grade: 'good' } }),
];

export function registerProjectCommands(app: HttpApp, deps: CommandDeps): void {
  for (const def of projectCommands) simpleCommand(app, deps, def);
}
