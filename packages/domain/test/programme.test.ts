import t from 'tap';
import { programmeDecider } from '../src/programme/decider.js';
import type { ProgrammeEvent } from '../src/programme/events.js';
import { programmeSnapshot, programmeStream } from '../src/programme/state.js';
import { taizhouPolicy } from '../src/policy.js';
import { programmeCmd as cmd } from './fixtures/commands.js';
import { approver, officer, reviewer } from './fixtures/fixtures.js';
import { fold, history, specFor } from './fixtures/given.js';

const given = specFor(programmeDecider);
const launch = cmd('LaunchProgramme', {
  programmeId: 'tz-2018',
  name: 'Taizhou 2018 ten major breakthrough projects',
  bureau: 'Taizhou Municipal Science and Technology Bureau',
  bureauCode: '331000',
  quota: 2,
  focusIndustries: ['pumps', 'moulds', 'smart toilets'],
  policy: taizhouPolicy,
});
const launched = history(programmeDecider, [launch]);
const open = history(programmeDecider, [cmd('OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' })], launched);

t.test('LaunchProgramme records the policy', async (t) => {
  given([]).when(launch).then(t, [{ type: 'ProgrammeLaunched', data: { programmeId: 'tz-2018', quota: 2, policy: taizhouPolicy, by: officer } }]);
  given(launched).when(launch).then(t, 'ALREADY_EXISTS');
  given([]).when({ ...launch, actor: approver }).then(t, 'ROLE_NOT_ALLOWED');
  t.equal(programmeStream('tz-2018'), 'programme-tz-2018');
});

t.test('commands on a programme never launched are refused', async (t) => {
  given([]).when(cmd('OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' })).then(t, 'PROGRAMME_NOT_FOUND');
  t.equal(programmeSnapshot(programmeDecider.initialState), null);
});

t.test('OpenSolicitation opens the window once', async (t) => {
  given(launched).when(cmd('OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' })).then(t, [
    { type: 'SolicitationOpened', data: { opensOn: '2018-05-01', closesOn: '2018-07-31' } },
  ]);
  given(launched).when(cmd('OpenSolicitation', { opensOn: '2018-08-01', closesOn: '2018-07-31' })).then(t, 'INVALID_DATE_RANGE');
  given(open).when(cmd('OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' })).then(t, 'SOLICITATION_ALREADY_OPENED');
});

t.test('CloseSolicitation closes an open window', async (t) => {
  given(open).when(cmd('CloseSolicitation', { closedOn: '2018-07-20' })).then(t, [{ type: 'SolicitationClosed', data: { closedOn: '2018-07-20' } }]);
  given(launched).when(cmd('CloseSolicitation', { closedOn: '2018-07-20' })).then(t, 'SOLICITATION_CLOSED');
  const closed = history(programmeDecider, [cmd('CloseSolicitation', { closedOn: '2018-07-20' })], open);
  given(closed).when(cmd('CloseSolicitation', { closedOn: '2018-07-21' })).then(t, 'SOLICITATION_CLOSED');
  t.match(programmeSnapshot(fold(programmeDecider, closed)), { solicitation: { closedOn: '2018-07-20' } });
});

t.test('SetFocusIndustries works until solicitation opens', async (t) => {
  given(launched).when(cmd('SetFocusIndustries', { focusIndustries: ['pumps'] })).then(t, [{ type: 'FocusIndustriesSet', data: { focusIndustries: ['pumps'] } }]);
  given(open).when(cmd('SetFocusIndustries', { focusIndustries: ['pumps'] })).then(t, 'FOCUS_INDUSTRIES_FROZEN');
});

t.test('ReserveSelectionSlot enforces the quota', async (t) => {
  const reserve = (projectId: string) => cmd('ReserveSelectionSlot', { projectId }, approver);
  given(open).when(reserve('p1')).then(t, [{ type: 'SelectionSlotReserved', data: { projectId: 'p1', slot: 1, quota: 2 } }]);
  const full = history(programmeDecider, [reserve('p1'), reserve('p2')], open);
  given(full).when(reserve('p1')).then(t, []);
  given(full).when(reserve('p3')).then(t, 'QUOTA_REACHED');
  t.throws(() => programmeDecider.decide(reserve('p3'), fold(programmeDecider, full)), { message: 'programme tz-2018 has selected 2 of 2 projects' });
  given(open).when({ ...reserve('p1'), actor: officer }).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('a project id that names an Object.prototype member reserves a place like any other', async (t) => {
  const reserve = (projectId: string) => cmd('ReserveSelectionSlot', { projectId }, approver);
  // Were 'constructor' found on the prototype, the approval would look already placed: a place under the quota never taken.
  given(open).when(reserve('constructor')).then(t, [{ type: 'SelectionSlotReserved', data: { projectId: 'constructor', slot: 1, quota: 2 } }]);
  const one = history(programmeDecider, [reserve('toString')], open);
  given(one).when(reserve('toString')).then(t, []);
  given(one).when(reserve('valueOf')).then(t, [{ type: 'SelectionSlotReserved', data: { slot: 2 } }]);
  given(open).when(cmd('ReleaseSelectionSlot', { projectId: 'hasOwnProperty', reason: 'no such place' }, approver)).then(t, 'SELECTION_SLOT_NOT_FOUND');
});

t.test('ReleaseSelectionSlot gives a place back', async (t) => {
  const full: ProgrammeEvent[] = history(
    programmeDecider,
    [cmd('ReserveSelectionSlot', { projectId: 'p1' }, approver), cmd('ReserveSelectionSlot', { projectId: 'p2' }, approver)],
    open,
  );
  const release = cmd('ReleaseSelectionSlot', { projectId: 'p2', reason: 'approval refused on the project stream' }, approver);
  given(full).when(release).then(t, [{ type: 'SelectionSlotReleased', data: { projectId: 'p2', slot: 2 } }]);
  given(open).when(release).then(t, 'SELECTION_SLOT_NOT_FOUND');
  const released = history(programmeDecider, [release], full);
  given(released).when(cmd('ReserveSelectionSlot', { projectId: 'p3' }, approver)).then(t, [{ type: 'SelectionSlotReserved', data: { slot: 2 } }]);
  given(open).when({ ...release, actor: reviewer }).then(t, 'ROLE_NOT_ALLOWED');
});
