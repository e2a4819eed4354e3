import t from 'tap';
import { projectDecider } from '../../src/project/decider.js';
import { projectCmd as cmd } from '../fixtures/commands.js';
import { approver, approver2, officer, officer2 } from '../fixtures/fixtures.js';
import { fold, specFor } from '../fixtures/given.js';
import { approved, inProgress, inPromotion, milestonesAccepted, run, submitted } from '../fixtures/project-story.js';

const given = specFor(projectDecider);
const report = (milestoneId: string, date = '2019-01-26') =>
  cmd('ReportMilestone', { milestoneId, reportedOn: date, summary: 'model validated', evidence: ['report.pdf'] }, officer, date);
const reported = run([report('m1')], inProgress);

t.test('ReportMilestone', async (t) => {
  given(inProgress).when(report('m1')).then(t, [{ type: 'MilestoneReported', data: { milestoneId: 'm1', reportedOn: '2019-01-26' } }]);
  given(inProgress).when(report('m9')).then(t, 'MILESTONE_NOT_FOUND');
  given(reported).when(report('m1')).then(t, 'INVALID_STATE');
  given(approved).when(report('m1')).then(t, 'INVALID_STATE');
  given(inPromotion).when(report('m1')).then(t, 'WRONG_STAGE');
});

t.test('AcceptMilestone and ReturnMilestone', async (t) => {
  const accept = cmd('AcceptMilestone', { milestoneId: 'm1' }, officer2);
  const ret = cmd('ReturnMilestone', { milestoneId: 'm1', reason: 'test data missing' }, officer2);
  given(reported).when(accept).then(t, [{ type: 'MilestoneAccepted', data: { milestoneId: 'm1' } }]);
  given(reported).when(ret).then(t, [{ type: 'MilestoneReturned', data: { reason: 'test data missing' } }]);
  given(inProgress).when(accept).then(t, 'INVALID_STATE');
  given(inProgress).when(ret).then(t, 'INVALID_STATE');
  const returned = run([ret], reported);
  given(returned).when(report('m1', '2019-02-10')).then(t, [{ type: 'MilestoneReported' }]);
  given(returned).when(accept).then(t, 'INVALID_STATE');
  given(inProgress).when(cmd('AcceptMilestone', { milestoneId: 'nope' })).then(t, 'MILESTONE_NOT_FOUND');
});

t.test('RecordTrackingVisit', async (t) => {
  const visit = cmd('RecordTrackingVisit', { visitId: 'v1', visitedOn: '2018-10-10', findings: 'test rig installed' });
  given(inProgress).when(visit).then(t, [{ type: 'TrackingVisitRecorded', data: { visitId: 'v1' } }]);
  given(run([visit], inProgress)).when(visit).then(t, 'ALREADY_EXISTS');
  given(submitted).when(visit).then(t, 'INVALID_STATE');
});

t.test('RecordMidTermCheck once, in advancement', async (t) => {
  const check = cmd('RecordMidTermCheck', { checkedOn: '2019-08-01', result: 'on_track', findings: 'milestones met' });
  given(inProgress).when(check).then(t, [{ type: 'MidTermCheckRecorded', data: { result: 'on_track' } }]);
  given(run([check], inProgress)).when(check).then(t, 'MID_TERM_CHECK_ALREADY_DONE');
  given(inPromotion).when(check).then(t, 'WRONG_STAGE');
});

t.test('OrderRectification and CompleteRectification', async (t) => {
  const order = cmd('OrderRectification', { rectificationId: 'r1', issue: 'budget misuse', dueOn: '2019-03-31' }, officer, '2019-03-01');
  given(inProgress).when(order).then(t, [{ type: 'RectificationOrdered', data: { rectificationId: 'r1', dueOn: '2019-03-31' } }]);
  given(inProgress).when({ ...order, data: { ...order.data, dueOn: '2019-02-28' } }).then(t, 'INVALID_DATE_RANGE');
  const ordered = run([order], inProgress);
  given(ordered).when(order).then(t, 'ALREADY_EXISTS');
  const complete = (date: string) => cmd('CompleteRectification', { rectificationId: 'r1', completedOn: date, evidence: 'refund receipt' });
  given(ordered).when(complete('2019-03-31')).then(t, [{ type: 'RectificationCompleted', data: { late: false } }]);
  given(ordered).when(complete('2019-04-01')).then(t, [{ type: 'RectificationCompleted', data: { late: true } }]);
  given(inProgress).when(complete('2019-03-20')).then(t, 'RECTIFICATION_NOT_FOUND');
  given(run([complete('2019-03-20')], ordered)).when(complete('2019-03-21')).then(t, 'INVALID_STATE');
  given(approved).when(order).then(t, 'INVALID_STATE');
});

t.test('RequestChange and DecideChange (four eyes)', async (t) => {
  const request = cmd('RequestChange', {
    changeId: 'ch1',
    change: { kind: 'principal_investigator', principalInvestigator: { name: 'Li Na', title: 'Deputy chief engineer' } },
    reason: 'Wang Wei retired',
  });
  given(inProgress).when(request).then(t, [{ type: 'ChangeRequested', data: { changeId: 'ch1' } }]);
  const requested = run([request], inProgress);
  given(requested).when(request).then(t, 'ALREADY_EXISTS');
  const decide = (approvedChange: boolean) => cmd('DecideChange', { changeId: 'ch1', approved: approvedChange }, approver);
  given(requested).when(decide(true)).then(t, [{ type: 'ChangeApproved', data: { change: { kind: 'principal_investigator' } } }]);
  given(requested).when(decide(false)).then(t, [{ type: 'ChangeRejected' }]);
  t.equal(fold(projectDecider, run([decide(true)], requested)).principalInvestigator?.name, 'Li Na');
  given(run([decide(false)], requested)).when(decide(true)).then(t, 'CHANGE_NOT_PENDING');
  given(requested).when({ ...decide(true), actor: { id: officer.id, role: 'approver' } }).then(t, 'FOUR_EYES_VIOLATION');
  given(inProgress).when(decide(true)).then(t, 'CHANGE_NOT_FOUND');
  given(approved).when(request).then(t, 'INVALID_STATE');
});

t.test('approved budget and indicator changes update the task book', async (t) => {
  const history = run(
    [
      cmd('RequestChange', { changeId: 'b1', change: { kind: 'budget', budget: 180_000_000 }, reason: 'cheaper motor' }),
      cmd('DecideChange', { changeId: 'b1', approved: true }, approver),
      cmd('RequestChange', { changeId: 'i1', change: { kind: 'indicators', indicators: [{ name: 'Efficiency', target: '≥ 85%' }] }, reason: 'raise' }),
      cmd('DecideChange', { changeId: 'i1', approved: true }, approver),
    ],
    inProgress,
  );
  const state = fold(projectDecider, history);
  t.equal(state.taskBook?.approvedFunding, 180_000_000);
  t.same(state.taskBook?.indicators, [{ name: 'Efficiency', target: '≥ 85%' }]);
});

t.test('RequestExtension: one, at most 12 months, 3 months before the end', async (t) => {
  // The task book starts 2018-08-01: the cycle's last day is 2020-07-31, three months before it 2020-04-30.
  const request = (months: number, date = '2020-04-30') => cmd('RequestExtension', { months, reason: 'supplier delay' }, officer, date);
  given(inProgress).when(request(12)).then(t, [{ type: 'ExtensionRequested', data: { months: 12, requestedOn: '2020-04-30' } }]);
  given(inProgress).when(request(13)).then(t, 'EXTENSION_TOO_LONG');
  given(inProgress).when(request(6, '2020-05-01')).then(t, 'EXTENSION_REQUEST_TOO_LATE');
  given(run([request(6)], inProgress)).when(request(6)).then(t, 'EXTENSION_ALREADY_USED');
  given(approved).when(request(6)).then(t, 'INVALID_STATE');
});

t.test('DecideExtension moves the end date (four eyes)', async (t) => {
  const requested = run([cmd('RequestExtension', { months: 6, reason: 'supplier delay' }, officer, '2020-04-01')], inProgress);
  const decide = (ok: boolean) => cmd('DecideExtension', { approved: ok }, approver, '2020-04-10');
  given(requested).when(decide(true)).then(t, [{ type: 'ExtensionApproved', data: { months: 6, newEndOn: '2021-01-31' } }]);
  given(requested).when(decide(false)).then(t, [{ type: 'ExtensionRejected' }]);
  t.equal(fold(projectDecider, run([decide(true)], requested)).taskBook?.endOn, '2021-01-31');
  given(inProgress).when(decide(true)).then(t, 'EXTENSION_NOT_PENDING');
  given(requested).when({ ...decide(true), actor: { id: officer.id, role: 'approver' } }).then(t, 'FOUR_EYES_VIOLATION');
  given(run([decide(false)], requested))
    .when(cmd('RequestExtension', { months: 3, reason: 'again' }, officer, '2020-04-20'))
    .then(t, 'EXTENSION_ALREADY_USED');
});

t.test('SuspendProject, ResumeProject', async (t) => {
  const suspend = cmd('SuspendProject', { reason: 'lead enterprise under investigation' });
  const resume = cmd('ResumeProject', { reason: 'investigation closed' });
  given(inProgress).when(suspend).then(t, [{ type: 'ProjectSuspended' }]);
  const suspended = run([suspend], inProgress);
  given(suspended).when(suspend).then(t, 'PROJECT_SUSPENDED');
  given(suspended).when(cmd('RecordMidTermCheck', { checkedOn: '2019-08-01', result: 'at_risk', findings: 'x' })).then(t, 'PROJECT_SUSPENDED');
  given(suspended).when(resume).then(t, [{ type: 'ProjectResumed' }]);
  given(inProgress).when(resume).then(t, 'INVALID_STATE');
  given(submitted).when(suspend).then(t, 'INVALID_STATE');
});

t.test('TerminateProject ends the project', async (t) => {
  const terminate = cmd('TerminateProject', { reason: 'enterprise bankrupt' }, approver2);
  const suspended = run([cmd('SuspendProject', { reason: 'bankruptcy filing' })], inProgress);
  given(suspended).when(terminate).then(t, [{ type: 'ProjectTerminated', data: { reason: 'enterprise bankrupt' } }]);
  given(submitted).when(terminate).then(t, 'INVALID_STATE');
  given(inProgress).when({ ...terminate, actor: officer }).then(t, 'ROLE_NOT_ALLOWED');
  const terminated = run([terminate], inProgress);
  given(terminated).when(cmd('RecordTrackingVisit', { visitId: 'v9', visitedOn: '2019-01-01', findings: 'x' })).then(t, 'PROJECT_ENDED');
});

t.test('AdvanceStage to promotion needs every milestone accepted and no open rectification', async (t) => {
  const advance = cmd('AdvanceStage', { to: 'promotion' });
  given(milestonesAccepted).when(advance).then(t, [{ type: 'StageAdvanced', data: { from: 'advancement', to: 'promotion' } }]);
  given(inProgress).when(advance).then(t, 'MILESTONES_NOT_ACCEPTED');
  const rectifying = run([cmd('OrderRectification', { rectificationId: 'r1', issue: 'late report', dueOn: '2019-09-30' }, officer, '2019-08-01')], milestonesAccepted);
  given(rectifying).when(advance).then(t, 'RECTIFICATION_OPEN');
  given(inPromotion).when(advance).then(t, 'WRONG_STAGE');
  given(approved).when(advance).then(t, 'INVALID_STATE');
});
