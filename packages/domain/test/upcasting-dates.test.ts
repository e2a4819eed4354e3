import t from 'tap';
import { currentSchemaVersion } from '../src/events.js';
import type { ProjectEvent } from '../src/project/events.js';
import { projectDecider } from '../src/project/decider.js';
import { parseEvent, upcast } from '../src/upcasting.js';
import { addMonths } from '../src/values/calendar.js';
import { projectCmd as cmd } from './fixtures/commands.js';
import { approver, officer } from './fixtures/fixtures.js';
import { fold, history } from './fixtures/given.js';
import { inProgress } from './fixtures/project-story.js';

/** What the code before the inclusive end stored: start + months (clamped), the anniversary. */
function asStoredV1(event: ProjectEvent, startOn: string, cycleMonths: number): { type: string; schemaVersion: number; data: unknown } {
  const data = JSON.parse(JSON.stringify(event.data)) as Record<string, unknown>;
  if (event.type === 'TaskBookSigned') return { type: event.type, schemaVersion: 1, data: { ...data, endOn: addMonths(startOn, cycleMonths) } };
  if (event.type === 'ExtensionApproved') return { type: event.type, schemaVersion: 1, data: { ...data, newEndOn: addMonths(startOn, cycleMonths + event.data.months) } };
  return { type: event.type, schemaVersion: currentSchemaVersion[event.type], data };
}

t.test('TaskBookSigned and ExtensionApproved are at v2: the end date is inclusive', async (t) => {
  t.equal(currentSchemaVersion.TaskBookSigned, 2);
  t.equal(currentSchemaVersion.ExtensionApproved, 2);
});

t.test('TaskBookSigned v1 (the anniversary) is upcast to the inclusive end, exactly, month ends too', async (t) => {
  const v1 = (startOn: string, endOn: string) => ({ type: 'TaskBookSigned', schemaVersion: 1, data: { startOn, endOn } });
  t.match(upcast(v1('2018-07-01', '2020-07-01')), { schemaVersion: 2, data: { endOn: '2020-06-30' } });
  t.match(upcast(v1('2018-01-31', '2020-01-31')), { data: { endOn: '2020-01-30' } });
  t.match(upcast(v1('2018-08-31', '2020-02-29')), { data: { endOn: '2020-02-29' } }, '18 months from 31 August: clamped then, the month end now');
  t.match(upcast(v1('2018-06-30', '2020-06-30')), { data: { endOn: '2020-06-29' } }, 'the same stored end from another start gives another end');
  t.throws(() => upcast(v1('2018-07-01', 'soon')), /calendar dates/);
});

t.test('a v1 history replays to the same project as one decided today', async (t) => {
  const extended = history(
    projectDecider,
    [
      cmd('RequestExtension', { months: 6, reason: 'supplier delay' }, officer, '2020-04-01'),
      cmd('DecideExtension', { approved: true }, approver, '2020-04-10'),
    ],
    inProgress,
  );
  const cycleMonths = 24;
  const startOn = '2018-08-01';
  const replayed = extended.map((e) => parseEvent(asStoredV1(e, startOn, cycleMonths)) as ProjectEvent);
  const approved = replayed.find((e) => e.type === 'ExtensionApproved');
  t.ok(approved !== undefined && approved.type === 'ExtensionApproved' && approved.data.newEndOn === undefined, 'v1 newEndOn is not carried over');
  const state = fold(projectDecider, replayed);
  t.equal(state.taskBook?.endOn, '2021-01-31', 'start 2018-08-01, 24 + 6 months');
  t.same(state, fold(projectDecider, extended));
  const signed = replayed.find((e) => e.type === 'TaskBookSigned');
  t.match(signed, { data: { endOn: '2020-07-31' } });
});
