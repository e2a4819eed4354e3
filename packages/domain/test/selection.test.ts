import t from 'tap';
import type { ProgrammeEvent, ProjectEvent, SelectionState } from '../src/index.js';
import { currentSchemaVersion, decideApproval, decideRelease, parseEvent, programme, project } from '../src/index.js';
import { approver, approver2, on } from './fixtures/fixtures.js';
import { inPublicity } from './fixtures/project-story.js';

const launchData = programme.commandSchemas.LaunchProgramme.parse({ programmeId: 'tz-2018', name: 'Ten majors', bureau: 'Taizhou S&T Bureau', bureauCode: '331000', quota: 2 });
const launched: ProgrammeEvent[] = [{ type: 'ProgrammeLaunched', data: { ...launchData, by: { id: 'officer-li', role: 'officer' }, at: on('2018-04-20') } }];
const reserved = (projectId: string, slot: number): ProgrammeEvent => ({
  type: 'SelectionSlotReserved',
  data: { by: approver, at: on('2018-07-17'), programmeId: 'tz-2018', projectId, slot, quota: 2 },
});
const released = (projectId: string, slot: number): ProgrammeEvent => ({
  type: 'SelectionSlotReleased',
  data: { by: approver, at: on('2018-07-17'), programmeId: 'tz-2018', projectId, slot, reason: 'not approved' },
});

/** A store round trip, as the application folds events it read back. */
function projectState(events: readonly ProjectEvent[]) {
  return events
    .map((e) => parseEvent({ type: e.type, schemaVersion: currentSchemaVersion[e.type], data: JSON.parse(JSON.stringify(e.data)) as unknown }))
    .filter(project.isEvent)
    .reduce(project.decider.evolve, project.decider.initialState);
}
const programmeState = (events: readonly ProgrammeEvent[]) => events.reduce(programme.decider.evolve, programme.decider.initialState);
const state = (p: readonly ProgrammeEvent[], q: readonly ProjectEvent[] = inPublicity): SelectionState => ({ programme: programmeState(p), project: projectState(q) });
const approve = { actor: approver, at: on('2018-07-17'), comment: 'bureau meeting' };

t.test('given a programme with places left, when a project in publicity is approved, then one place and the approval carrying it', async (t) => {
  const decided = decideApproval(approve, state(launched));
  t.match(decided.programme, [{ type: 'SelectionSlotReserved', data: { projectId: 'p-pump-01', slot: 1, quota: 2 } }]);
  t.match(decided.project, [{ type: 'ProjectApproved', data: { programmeId: 'tz-2018', slot: 1, quota: 2, comment: 'bureau meeting' } }]);
});

t.test('given every place held, when a project is approved, then QUOTA_REACHED', async (t) => {
  t.throws(() => decideApproval(approve, state([...launched, reserved('a', 1), reserved('b', 2)])), { code: 'QUOTA_REACHED' });
});

t.test("given a project that may not be approved, then the approval's own refusal comes first, quota or not", async (t) => {
  const early = { ...approve, at: on('2018-06-01') };
  t.throws(() => decideApproval(early, state([...launched, reserved('a', 1), reserved('b', 2)])), { code: 'PUBLICITY_NOT_OVER' });
  t.throws(() => decideApproval({ ...approve, actor: approver2 }, state([])), { code: 'PROGRAMME_NOT_FOUND' }, 'no programme');
});

t.test('given places 1 and 2 held and 1 given back, when a project is approved, then it gets place 1 (never a place still held)', async (t) => {
  const decided = decideApproval(approve, state([...launched, reserved('a', 1), reserved('b', 2), released('a', 1)]));
  t.match(decided.programme, [{ type: 'SelectionSlotReserved', data: { slot: 1 } }]);
  t.match(decided.project, [{ type: 'ProjectApproved', data: { slot: 1 } }]);
});

t.test('given a place reserved for the project by the old two-step approval, then it is used: nothing new on the programme', async (t) => {
  const decided = decideApproval(approve, state([...launched, reserved('a', 1), reserved('p-pump-01', 2)]));
  t.same(decided.programme, []);
  t.match(decided.project, [{ type: 'ProjectApproved', data: { slot: 2 } }]);
});

t.test('given an approved project, when its place is released, then SELECTION_SLOT_IN_USE, also after it was terminated', async (t) => {
  const programmeEvents = [...launched, reserved('p-pump-01', 1)];
  const approved = decideApproval(approve, state([...launched])).project;
  const release = { type: 'ReleaseSelectionSlot' as const, actor: approver, at: on('2018-08-01'), data: { projectId: 'p-pump-01', reason: 'make room' } };
  t.throws(() => decideRelease(release, state(programmeEvents, [...inPublicity, ...approved])), { code: 'SELECTION_SLOT_IN_USE' });
  const terminated = project.decider.decide({ type: 'TerminateProject', actor: approver, at: on('2018-09-01'), data: { reason: 'enterprise closed' } }, projectState([...inPublicity, ...approved]));
  t.throws(() => decideRelease(release, state(programmeEvents, [...inPublicity, ...approved, ...terminated])), { code: 'SELECTION_SLOT_IN_USE' });
});

t.test('given a place held by a project that was not approved, when it is released, then the place is given back', async (t) => {
  const release = { type: 'ReleaseSelectionSlot' as const, actor: approver, at: on('2018-08-01'), data: { projectId: 'p-pump-01', reason: 'approval never completed' } };
  const decided = decideRelease(release, state([...launched, reserved('p-pump-01', 1)]));
  t.match(decided.programme, [{ type: 'SelectionSlotReleased', data: { projectId: 'p-pump-01', slot: 1 } }]);
  t.same(decided.project, []);
  t.throws(() => decideRelease(release, state(launched)), { code: 'SELECTION_SLOT_NOT_FOUND' });
});
