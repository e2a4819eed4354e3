import t from 'tap';
import type { ProgrammeEvent, ProjectEvent, SelectionState } from '../src/index.js';
import { currentSchemaVersion, decideApproval, decideProposalWithdrawal, decideSubmission, parseEvent, programme, project, taizhouPolicy } from '../src/index.js';
import { programmeCmd, projectCmd } from './fixtures/commands.js';
import { approver, officer, on } from './fixtures/fixtures.js';
import { approved, inPublicity, submit, submitted } from './fixtures/project-story.js';
import { fold, history, specFor } from './fixtures/given.js';

const given = specFor(programme.decider);
const launched = history(programme.decider, [
  programmeCmd('LaunchProgramme', { programmeId: 'tz-2018', name: 'Ten majors', bureau: 'Taizhou S&T Bureau', bureauCode: '331000', quota: 2, focusIndustries: ['pumps'], policy: taizhouPolicy }, officer, '2018-04-20'),
]);
const opened = history(programme.decider, [programmeCmd('OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-05-31' }, officer, '2018-04-21')], launched);
const closed = history(programme.decider, [programmeCmd('CloseSolicitation', { closedOn: '2018-05-02' }, officer, '2018-05-02')], opened);
const received: ProgrammeEvent = { type: 'ProposalReceived', data: { by: officer, at: on('2018-05-10'), programmeId: 'tz-2018', projectId: 'p-pump-01', submittedOn: '2018-05-10' } };
const ref = (type: string) => ({ eventId: `e-${type}`, type });
const amendWindow = (data: Record<string, unknown> = {}, date = '2018-06-01') =>
  programmeCmd('AmendSolicitationWindow', { opensOn: '2018-05-01', closesOn: '2018-07-31', reason: '截止日期录入错误', corrects: ref('SolicitationOpened'), ...data }, officer, date);
/** A store round trip, as the application folds events it read back. */
const roundTrip = <E extends { type: string; data: unknown }>(events: readonly E[]) =>
  events.map((e) => parseEvent({ type: e.type, schemaVersion: currentSchemaVersion[e.type as keyof typeof currentSchemaVersion], data: JSON.parse(JSON.stringify(e.data)) as unknown }));

t.test('AmendSolicitationWindow corrects the window and names the original; a closed window opens again', async (t) => {
  given(opened).when(amendWindow()).then(t, [
    {
      type: 'SolicitationWindowAmended',
      data: { opensOn: '2018-05-01', closesOn: '2018-07-31', previous: { opensOn: '2018-05-01', closesOn: '2018-05-31', closedOn: null }, reason: '截止日期录入错误', corrects: ref('SolicitationOpened'), by: officer },
    },
  ]);
  const reopened = history(programme.decider, [amendWindow({ corrects: ref('SolicitationClosed') })], closed);
  t.match(reopened.at(-1), { type: 'SolicitationWindowAmended', data: { previous: { closedOn: '2018-05-02' }, corrects: { type: 'SolicitationClosed' } } });
  t.same(fold(programme.decider, reopened).solicitation, { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null });
  t.equal(roundTrip(reopened).length, reopened.length, 'the events read back through their schemas');
  // The same window, open: nothing to correct.
  given(opened).when(amendWindow({ closesOn: '2018-05-31' })).then(t, []);
});

t.test('AmendSolicitationWindow is refused once a proposal was received, before the window opened, backwards, or without the original', async (t) => {
  given([...opened, received]).when(amendWindow()).then(t, 'PROGRAMME_HAS_PROPOSALS');
  given(launched).when(amendWindow()).then(t, 'SOLICITATION_NOT_OPENED');
  given(opened).when(amendWindow({ legacyProposals: 2 })).then(t, 'PROGRAMME_HAS_PROPOSALS');
  given(opened).when(amendWindow({ opensOn: '2018-08-01' })).then(t, 'INVALID_DATE_RANGE');
  given(opened).when(amendWindow({ corrects: undefined })).then(t, 'INVALID_STATE');
  given(opened).when(amendWindow({ corrects: ref('FocusIndustriesSet') })).then(t, 'INVALID_STATE');
  given(opened).when({ ...amendWindow(), actor: approver }).then(t, 'ROLE_NOT_ALLOWED');
  t.throws(() => programme.decider.decide(amendWindow(), fold(programme.decider, [...opened, received])), { message: /已收到 1 份申报/ }, 'the message is Chinese first');
});

t.test('AmendProgrammePolicy replaces the policy while no proposal depends on it', async (t) => {
  const policy = { ...taizhouPolicy, publicityDays: 5 };
  const amend = programmeCmd('AmendProgrammePolicy', { policy, reason: '公示期应为5天', corrects: ref('ProgrammeLaunched') });
  given(opened).when(amend).then(t, [{ type: 'ProgrammePolicyAmended', data: { policy, previous: taizhouPolicy, corrects: ref('ProgrammeLaunched') } }]);
  t.equal(fold(programme.decider, history(programme.decider, [amend], opened)).policy?.publicityDays, 5);
  given(opened).when(programmeCmd('AmendProgrammePolicy', { policy: taizhouPolicy, reason: 'same', corrects: ref('ProgrammeLaunched') })).then(t, []);
  given([...opened, received]).when(amend).then(t, 'PROGRAMME_HAS_PROPOSALS');
});

t.test('WithdrawProgramme: then no proposals, approvals, windows or amendments; refused with a selected project', async (t) => {
  const withdraw = programmeCmd('WithdrawProgramme', { reason: '计划重复发布', corrects: ref('ProgrammeLaunched') }, officer, '2018-05-20');
  given([...opened, received]).when(withdraw).then(t, [{ type: 'ProgrammeWithdrawn', data: { withdrawnOn: '2018-05-20', pendingProposals: 1, corrects: ref('ProgrammeLaunched') } }]);
  const withdrawn = history(programme.decider, [withdraw], opened);
  given(withdrawn).when(withdraw).then(t, 'PROGRAMME_WITHDRAWN');
  given(withdrawn).when(amendWindow()).then(t, 'PROGRAMME_WITHDRAWN');
  given(withdrawn).when(programmeCmd('CloseSolicitation', { closedOn: '2018-05-21' })).then(t, 'PROGRAMME_WITHDRAWN');
  const reserved: ProgrammeEvent = { type: 'SelectionSlotReserved', data: { by: approver, at: on('2018-07-17'), programmeId: 'tz-2018', projectId: 'x', slot: 1, quota: 2 } };
  given([...opened, reserved]).when(withdraw).then(t, 'PROGRAMME_HAS_SELECTIONS');

  const state = (p: readonly ProgrammeEvent[], q: readonly ProjectEvent[]): SelectionState => ({ programme: fold(programme.decider, p), project: fold(project.decider, q) });
  const { programme: _snapshot, ...proposal } = submit.data;
  const submission = { ...submit, at: on('2018-05-10'), data: proposal };
  t.throws(() => decideSubmission(submission, state(withdrawn, [])), { code: 'PROGRAMME_WITHDRAWN' });
  t.throws(() => decideApproval({ actor: approver, at: on('2018-07-17') }, state(withdrawn, inPublicity)), { code: 'PROGRAMME_WITHDRAWN' });
});

t.test('decideSubmission: ProposalReceived on the programme with the submission, decided on the window in force', async (t) => {
  const state = (p: readonly ProgrammeEvent[]): SelectionState => ({ programme: fold(programme.decider, p), project: project.decider.initialState });
  const { programme: _snapshot, ...proposal } = submit.data;
  const submission = { ...submit, at: on('2018-06-15'), data: proposal };
  t.throws(() => decideSubmission(submission, state(opened)), { code: 'SOLICITATION_CLOSED' }, 'outside the window typed wrongly');
  const amended = history(programme.decider, [amendWindow()], opened);
  const decided = decideSubmission(submission, state(amended));
  t.match(decided.programme, [{ type: 'ProposalReceived', data: { programmeId: 'tz-2018', projectId: 'p-pump-01', submittedOn: '2018-06-15' } }]);
  t.match(decided.project, [{ type: 'ProjectSubmitted', data: { programmeId: 'tz-2018', submittedOn: '2018-06-15' } }]);
  t.equal(fold(programme.decider, [...amended, ...decided.programme]).proposalCount, 1);
});

t.test('WithdrawProposal: before approval, naming the submission; gives back a place held; after approval it is termination', async (t) => {
  const withdraw = projectCmd('WithdrawProposal', { reason: '申报单位主动撤回', corrects: ref('ProjectSubmitted') }, officer, '2018-06-02');
  const state = (p: readonly ProgrammeEvent[], q: readonly ProjectEvent[]): SelectionState => ({ programme: fold(programme.decider, p), project: fold(project.decider, q) });
  const plain = decideProposalWithdrawal(withdraw, state(opened, submitted));
  t.match(plain, { programme: [], project: [{ type: 'ProposalWithdrawn', data: { previousStatus: 'submitted', withdrawnOn: '2018-06-02', corrects: ref('ProjectSubmitted'), programmeId: 'tz-2018' } }] });
  const ended = fold(project.decider, [...submitted, ...plain.project]);
  t.equal(ended.status, 'withdrawn');
  t.throws(() => project.decider.decide(withdraw, ended), { code: 'PROJECT_ENDED' });
  // A place held by the two-step reservation of earlier versions is given back with it.
  const held: ProgrammeEvent = { type: 'SelectionSlotReserved', data: { by: approver, at: on('2018-07-17'), programmeId: 'tz-2018', projectId: 'p-pump-01', slot: 1, quota: 2 } };
  const withPlace = decideProposalWithdrawal({ ...withdraw, at: on('2018-07-18') }, state([...opened, held], inPublicity));
  t.match(withPlace.programme, [{ type: 'SelectionSlotReleased', data: { projectId: 'p-pump-01', slot: 1 } }]);
  t.equal(fold(programme.decider, [...opened, held, ...withPlace.programme]).selectedCount, 0);
  t.throws(() => decideProposalWithdrawal(withdraw, state(opened, approved)), { code: 'PROPOSAL_ALREADY_APPROVED' });
  t.throws(() => decideProposalWithdrawal({ ...withdraw, data: { reason: 'x' } }, state(opened, submitted)), { code: 'INVALID_STATE' });
  t.equal(roundTrip(plain.project).length, 1);
});
