import t from 'tap';
import { dueItems, overdueItems } from '../../src/project/due-items.js';
import { projectDecider } from '../../src/project/decider.js';
import type { ProjectEvent } from '../../src/project/events.js';
import { projectCmd as cmd } from '../fixtures/commands.js';
import { approver, approver2, officer, officer2 } from '../fixtures/fixtures.js';
import { fold } from '../fixtures/given.js';
import { inProgress, inPromotion, run } from '../fixtures/project-story.js';

const state = (events: readonly ProjectEvent[]) => fold(projectDecider, events);
const keys = (events: readonly ProjectEvent[], today: string) => overdueItems(state(events), today).map((i) => `${i.kind}:${i.itemId}`);

// The task book runs 2018-08-01 to 2020-07-31: m1 due 2019-02-01, m2 due 2019-08-01, acceptance by 2021-01-31.

t.test('nothing is due before the task book starts', async (t) => {
  t.same(dueItems(state(inProgress), '2018-07-31'), []);
  t.same(
    dueItems(state(inProgress), '2018-08-01').map((i) => [i.kind, i.itemId, i.dueOn, i.overdue]),
    [['milestone', 'm1', '2019-02-01', false], ['milestone', 'm2', '2019-08-01', false], ['acceptance', 'acceptance', '2021-01-31', false]],
  );
});

t.test('a milestone is overdue the day after its due date until it is accepted', async (t) => {
  t.same(keys(inProgress, '2019-02-01'), [], 'due today is not overdue');
  t.same(keys(inProgress, '2019-02-02'), ['milestone:m1']);
  const reported = run([cmd('ReportMilestone', { milestoneId: 'm1', reportedOn: '2019-01-25', summary: 'done', evidence: ['r.pdf'] }, officer, '2019-01-26')], inProgress);
  t.same(keys(reported, '2019-02-02'), ['milestone:m1'], 'reported but not accepted is not done');
  const returned = run([cmd('ReturnMilestone', { milestoneId: 'm1', reason: '证据不足' }, officer2, '2019-01-30')], reported);
  t.same(keys(returned, '2019-02-02'), ['milestone:m1'], 'returned is not done');
  const accepted = run(
    [
      cmd('ReportMilestone', { milestoneId: 'm1', reportedOn: '2019-02-10', summary: 'again', evidence: ['r2.pdf'] }, officer, '2019-02-10'),
      cmd('AcceptMilestone', { milestoneId: 'm1' }, officer2, '2019-02-20'),
    ],
    returned,
  );
  t.same(keys(accepted, '2019-02-19'), ['milestone:m1'], 'still overdue the day before its acceptance');
  t.same(keys(accepted, '2019-02-20'), [], 'done from the day it is accepted');
});

t.test('a rectification is due from the day it is ordered until the day it is completed', async (t) => {
  const ordered = run([cmd('OrderRectification', { rectificationId: 'rc1', issue: '经费使用不规范', dueOn: '2019-03-31' }, officer, '2019-03-01')], inProgress);
  t.notOk(dueItems(state(ordered), '2019-02-28').some((i) => i.kind === 'rectification'), 'not yet ordered');
  t.ok(dueItems(state(ordered), '2019-03-01').some((i) => i.kind === 'rectification' && !i.overdue));
  const completed = run([cmd('CompleteRectification', { rectificationId: 'rc1', completedOn: '2019-04-10', evidence: '整改报告' }, officer, '2019-04-12')], ordered);
  t.ok(overdueItems(state(completed), '2019-04-09').some((i) => i.itemId === 'rc1'), 'overdue before its completion date');
  t.notOk(dueItems(state(completed), '2019-04-10').some((i) => i.itemId === 'rc1'), 'done on its completion date');
});

t.test('acceptance not applied for by its deadline is overdue in either stage', async (t) => {
  t.ok(keys(inPromotion, '2021-02-01').includes('acceptance:acceptance'), 'in promotion');
  t.ok(keys(inProgress, '2021-02-01').includes('acceptance:acceptance'), 'still in advancement, later still');
  t.notOk(keys(inProgress, '2021-01-31').includes('acceptance:acceptance'), 'not on the deadline itself');
  const applied = run([cmd('ApplyForAcceptance', { appliedOn: '2020-09-01' }, officer, '2020-09-02')], inPromotion);
  t.same(keys(applied, '2021-02-01'), [], 'applied for in time');
});

t.test('an extension moves the acceptance deadline from the day it is approved', async (t) => {
  const extended = run(
    [cmd('RequestExtension', { months: 6, reason: '样机返工' }, officer, '2020-01-10'), cmd('DecideExtension', { approved: true }, approver2, '2021-03-01')],
    inProgress,
  );
  t.ok(keys(extended, '2021-02-15').includes('acceptance:acceptance'), 'overdue under the deadline in force then (2021-01-31)');
  t.same(dueItems(state(extended), '2021-03-01').find((i) => i.kind === 'acceptance')?.dueOn, '2021-07-31', 'the extended deadline from its approval');
});

t.test('nothing is due from the day the project ends', async (t) => {
  const terminated = run([cmd('TerminateProject', { reason: '企业破产' }, approver, '2019-05-01')], inProgress);
  t.same(keys(terminated, '2019-04-30'), ['milestone:m1']);
  t.same(dueItems(state(terminated), '2019-05-01'), []);
});
