import t from 'tap';
import { projectDecider } from '../../src/project/decider.js';
import { pendingSubsidyAssessments, projectStream } from '../../src/project/state.js';
import { taizhouPolicy } from '../../src/policy.js';
import { projectCmd as cmd } from '../fixtures/commands.js';
import { approver, codes, officer, officer2, reviewer, reviewer2 } from '../fixtures/fixtures.js';
import { fold, specFor } from '../fixtures/given.js';
import { approve, approved, inExpertReview, inProgress, inPublicity, programme, run, scored, signTaskBook, submit, submitted } from '../fixtures/project-story.js';

const given = specFor(projectDecider);

t.test('SubmitProject records the proposal with the programme policy', async (t) => {
  given([]).when(submit).then(t, [
    {
      type: 'ProjectSubmitted',
      data: { projectId: 'p-pump-01', programmeId: 'tz-2018', policy: taizhouPolicy, requestedFunding: 300_000_000, submittedOn: '2018-06-01', by: officer },
    },
  ]);
  t.equal(projectStream('p-pump-01'), 'project-p-pump-01');
  given(submitted).when(submit).then(t, 'ALREADY_EXISTS');
});

t.test('SubmitProject refusals', async (t) => {
  given([]).when({ ...submit, at: '2018-08-01T10:00:00+08:00' }).then(t, 'SOLICITATION_CLOSED');
  given([]).when({ ...submit, at: '2018-04-30T10:00:00+08:00' }).then(t, 'SOLICITATION_CLOSED');
  const closedWindow = { ...programme, solicitation: { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: '2018-05-20' } };
  given([]).when(cmd('SubmitProject', { ...submit.data, programme: closedWindow })).then(t, 'SOLICITATION_CLOSED');
  given([]).when(cmd('SubmitProject', { ...submit.data, programme: { ...programme, solicitation: null } })).then(t, 'SOLICITATION_CLOSED');
  given([]).when(cmd('SubmitProject', { ...submit.data, industry: 'textiles' })).then(t, 'INDUSTRY_NOT_IN_FOCUS');
  given([])
    .when(cmd('SubmitProject', { ...submit.data, partners: [{ name: 'Self', creditCode: codes.lead }] }))
    .then(t, 'LEAD_IS_PARTNER');
  given([]).when({ ...submit, actor: reviewer }).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('a command on a project never submitted is PROJECT_NOT_FOUND', async (t) => {
  given([]).when(cmd('RecommendProject', { county: 'Wenling' })).then(t, 'PROJECT_NOT_FOUND');
});

t.test('RecommendProject records the county recommendation once', async (t) => {
  const recommend = cmd('RecommendProject', { county: 'Wenling', comment: 'strong local supply chain' });
  given(submitted).when(recommend).then(t, [{ type: 'ProjectRecommendedByCounty', data: { county: 'Wenling' } }]);
  given(run([recommend], submitted)).when(recommend).then(t, 'ALREADY_EXISTS');
  given(inExpertReview).when(recommend).then(t, 'INVALID_STATE');
});

t.test('RecordFormalReview passes or fails with reasons', async (t) => {
  given(submitted).when(cmd('RecordFormalReview', { passed: true, reasons: [] })).then(t, [{ type: 'FormalReviewPassed' }]);
  const fail = cmd('RecordFormalReview', { passed: false, reasons: ['audit report missing'] });
  given(submitted).when(fail).then(t, [{ type: 'FormalReviewFailed', data: { reasons: ['audit report missing'] } }]);
  t.equal(fold(projectDecider, run([fail], submitted)).status, 'rejected');
  given(inExpertReview).when(fail).then(t, 'INVALID_STATE');
});

t.test('a project rejected at formal review refuses everything', async (t) => {
  const rejected = run([cmd('RecordFormalReview', { passed: false, reasons: ['incomplete'] })], submitted);
  given(rejected).when(cmd('RecommendProject', { county: 'Wenling' })).then(t, 'PROJECT_ENDED');
});

t.test('AssignExpertReviewer', async (t) => {
  const assign = cmd('AssignExpertReviewer', { reviewerId: 'expert-lu', name: 'Lu', employerCreditCode: codes.huawei });
  given(inExpertReview).when(assign).then(t, [{ type: 'ExpertReviewerAssigned', data: { reviewerId: 'expert-lu' } }]);
  given(inExpertReview).when(cmd('AssignExpertReviewer', { reviewerId: reviewer.id, name: 'Chen', employerCreditCode: codes.university })).then(t, 'ALREADY_EXISTS');
  given(submitted).when(assign).then(t, 'INVALID_STATE');
});

t.test('ScoreProject and conflicts of interest', async (t) => {
  given(inExpertReview).when(cmd('ScoreProject', { score: 88 }, reviewer)).then(t, [{ type: 'ExpertScoreRecorded', data: { reviewerId: reviewer.id, score: 88 } }]);
  given(inExpertReview).when(cmd('ScoreProject', { score: 70 }, reviewer2)).then(t, 'CONFLICT_OF_INTEREST');
  const declared = run([cmd('DeclareConflictOfInterest', { reason: 'former colleague of the PI' }, reviewer)], inExpertReview);
  given(declared).when(cmd('ScoreProject', { score: 88 }, reviewer)).then(t, 'CONFLICT_OF_INTEREST');
  given(inExpertReview).when(cmd('ScoreProject', { score: 88 }, { id: 'expert-stranger', role: 'reviewer' })).then(t, 'REVIEWER_NOT_ASSIGNED');
  given(scored).when(cmd('ScoreProject', { score: 90 }, reviewer)).then(t, 'ALREADY_SCORED');
  given(inExpertReview).when(cmd('ScoreProject', { score: 88 }, officer)).then(t, 'ROLE_NOT_ALLOWED');
  given(submitted).when(cmd('ScoreProject', { score: 88 }, reviewer)).then(t, 'INVALID_STATE');
});

t.test('a lead-enterprise employee is conflicted too', async (t) => {
  const history = run([cmd('AssignExpertReviewer', { reviewerId: 'expert-in-house', name: 'Xu', employerCreditCode: codes.lead })], inExpertReview);
  given(history).when(cmd('ScoreProject', { score: 99 }, { id: 'expert-in-house', role: 'reviewer' })).then(t, 'CONFLICT_OF_INTEREST');
});

t.test('DeclareConflictOfInterest', async (t) => {
  const declare = cmd('DeclareConflictOfInterest', { reason: 'co-author' }, reviewer);
  given(inExpertReview).when(declare).then(t, [{ type: 'ConflictOfInterestDeclared', data: { reviewerId: reviewer.id } }]);
  given(run([declare], inExpertReview)).when(declare).then(t, []);
  given(scored).when(declare).then(t, 'ALREADY_SCORED');
  given(inExpertReview).when({ ...declare, actor: { id: 'expert-x', role: 'reviewer' } }).then(t, 'REVIEWER_NOT_ASSIGNED');
  given(submitted).when(declare).then(t, 'INVALID_STATE');
});

t.test('StartPublicity sets the objection period from the policy', async (t) => {
  given(scored).when(cmd('StartPublicity', { startsOn: '2018-07-10' })).then(t, [{ type: 'PublicityStarted', data: { startsOn: '2018-07-10', endsOn: '2018-07-16' } }]);
  given(inExpertReview).when(cmd('StartPublicity', { startsOn: '2018-07-10' })).then(t, 'NO_EXPERT_SCORES');
  given(submitted).when(cmd('StartPublicity', { startsOn: '2018-07-10' })).then(t, 'INVALID_STATE');
});

t.test('StartPublicity refuses a period that started before the submission or before today', async (t) => {
  // Submitted 2018-06-01; the officer acts on 2018-06-25. A period in the past would let the
  // approval follow at once, with no days left for objections.
  const start = (startsOn: string) => cmd('StartPublicity', { startsOn }, officer, '2018-06-25');
  given(scored).when(start('2018-05-31')).then(t, 'PUBLICITY_BEFORE_SUBMISSION');
  given(scored).when(start('2018-06-24')).then(t, 'PUBLICITY_STARTS_IN_PAST');
  given(scored).when(start('2018-06-25')).then(t, [{ type: 'PublicityStarted', data: { startsOn: '2018-06-25', endsOn: '2018-07-01' } }]);
  const started = run([start('2018-06-25')], scored);
  const approveOn = (date: string) => cmd('ApproveProject', { selection: { programmeId: 'tz-2018', slot: 1, quota: 10 } }, approver, date);
  given(started).when(approveOn('2018-07-01')).then(t, 'PUBLICITY_NOT_OVER');
  given(started).when(approveOn('2018-07-02')).then(t, [{ type: 'ProjectApproved' }]);
});

t.test('LodgeObjection within the period only', async (t) => {
  const lodge = cmd('LodgeObjection', { objectionId: 'o1', lodgedOn: '2018-07-16', summary: 'patent dispute' });
  given(inPublicity).when(lodge).then(t, [{ type: 'ObjectionLodged', data: { objectionId: 'o1' } }]);
  given(inPublicity).when(cmd('LodgeObjection', { objectionId: 'o1', lodgedOn: '2018-07-17', summary: 'late' })).then(t, 'PUBLICITY_PERIOD_OVER');
  given(inPublicity).when(cmd('LodgeObjection', { objectionId: 'o1', lodgedOn: '2018-07-09', summary: 'early' })).then(t, 'PUBLICITY_PERIOD_OVER');
  given(run([lodge], inPublicity)).when(lodge).then(t, 'ALREADY_EXISTS');
  given(scored).when(lodge).then(t, 'INVALID_STATE');
});

t.test('ResolveObjection', async (t) => {
  const lodged = run([cmd('LodgeObjection', { objectionId: 'o1', lodgedOn: '2018-07-12', summary: 'patent dispute' })], inPublicity);
  const dismiss = cmd('ResolveObjection', { objectionId: 'o1', upheld: false, resolution: 'patent is the applicant’s own' });
  given(lodged).when(dismiss).then(t, [{ type: 'ObjectionResolved', data: { upheld: false } }]);
  given(inPublicity).when(dismiss).then(t, 'OBJECTION_NOT_FOUND');
  given(run([dismiss], lodged)).when(dismiss).then(t, 'INVALID_STATE');
});

t.test('ids that are names on Object.prototype are ids like any other', async (t) => {
  for (const objectionId of ['constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
    const resolve = cmd('ResolveObjection', { objectionId, upheld: false, resolution: 'no such objection' });
    given(inPublicity).when(resolve).then(t, 'OBJECTION_NOT_FOUND');
    const lodge = cmd('LodgeObjection', { objectionId, lodgedOn: '2018-07-12', summary: 'dispute' });
    given(inPublicity).when(lodge).then(t, [{ type: 'ObjectionLodged', data: { objectionId } }]);
    const lodged = run([lodge], inPublicity);
    given(lodged).when(resolve).then(t, [{ type: 'ObjectionResolved', data: { objectionId, upheld: false } }]);
    given(lodged).when(approve).then(t, 'OBJECTION_UNRESOLVED');
  }
  for (const reviewerId of ['__proto__', 'constructor']) {
    const assign = cmd('AssignExpertReviewer', { reviewerId, name: 'Li Na', employerCreditCode: codes.university });
    given(inExpertReview).when(assign).then(t, [{ type: 'ExpertReviewerAssigned', data: { reviewerId } }]);
    given(run([assign], inExpertReview)).when(assign).then(t, 'ALREADY_EXISTS');
    given(inExpertReview).when(cmd('ScoreProject', { score: 80 }, { ...reviewer, id: reviewerId })).then(t, 'REVIEWER_NOT_ASSIGNED');
  }
});

t.test('ApproveProject after publicity, without objections, by another person', async (t) => {
  given(inPublicity).when(approve).then(t, [
    { type: 'ProjectApproved', data: { programmeId: 'tz-2018', slot: 1, quota: 10, approvedOn: '2018-07-17', by: approver } },
  ]);
  given(inPublicity).when({ ...approve, at: '2018-07-16T23:59:00+08:00' }).then(t, 'PUBLICITY_NOT_OVER');
  const lodged = run([cmd('LodgeObjection', { objectionId: 'o1', lodgedOn: '2018-07-12', summary: 'dispute' })], inPublicity);
  given(lodged).when(approve).then(t, 'OBJECTION_UNRESOLVED');
  const upheld = run([cmd('ResolveObjection', { objectionId: 'o1', upheld: true, resolution: 'confirmed' })], lodged);
  given(upheld).when(approve).then(t, 'OBJECTION_UPHELD');
  given(inPublicity).when({ ...approve, actor: { id: officer.id, role: 'approver' } }).then(t, 'FOUR_EYES_VIOLATION');
  given(inPublicity).when(cmd('ApproveProject', { selection: { programmeId: 'tz-2019', slot: 1, quota: 10 } }, approver, '2018-07-17')).then(t, 'PROGRAMME_MISMATCH');
  given(scored).when(approve).then(t, 'INVALID_STATE');
  given(inPublicity).when({ ...approve, actor: officer2 }).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('RejectProject before approval', async (t) => {
  const reject = cmd('RejectProject', { reason: 'objection upheld' }, approver);
  given(inPublicity).when(reject).then(t, [{ type: 'ProjectRejected', data: { reason: 'objection upheld' } }]);
  given(approved).when(reject).then(t, 'INVALID_STATE');
  given(run([reject], inPublicity)).when(approve).then(t, 'PROJECT_ENDED');
});

t.test('SignTaskBook sets the cycle and enters advancement', async (t) => {
  given(approved).when(signTaskBook).then(t, [
    { type: 'TaskBookSigned', data: { startOn: '2018-08-01', endOn: '2020-07-31', approvedFunding: 200_000_000 } },
    { type: 'StageAdvanced', data: { from: 'solicitation', to: 'advancement' } },
  ]);
  const state = fold(projectDecider, inProgress);
  t.equal(state.stage, 'advancement');
  t.equal(state.status, 'in_progress');
  t.same(pendingSubsidyAssessments(state), []);
  const late = { ...signTaskBook, data: { ...signTaskBook.data, milestones: [{ milestoneId: 'm9', title: 'late', dueOn: '2020-08-01' }] } };
  given(approved).when(late).then(t, 'MILESTONE_OUTSIDE_CYCLE');
  const lastDay = { ...signTaskBook, data: { ...signTaskBook.data, milestones: [{ milestoneId: 'm9', title: 'last day', dueOn: '2020-07-31' }] } };
  given(approved).when(lastDay).then(t, [{ type: 'TaskBookSigned' }, { type: 'StageAdvanced' }]);
  const twice = {
    ...signTaskBook,
    data: { ...signTaskBook.data, milestones: [{ milestoneId: 'm1', title: 'a', dueOn: '2019-01-01' }, { milestoneId: 'm1', title: 'b', dueOn: '2019-02-01' }] },
  };
  given(approved).when(twice).then(t, 'ALREADY_EXISTS');
  given(inPublicity).when(signTaskBook).then(t, 'INVALID_STATE');
});
