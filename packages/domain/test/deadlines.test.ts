import t from 'tap';
import {
  acceptanceDeadline,
  cycleEnd,
  daysUntil,
  extensionRequestDeadline,
  isDueInMonthOf,
  isOverdue,
  isWithinAcceptanceWindow,
  overdueItems,
  publicityEnd,
} from '../src/deadlines.js';

t.test('cycle end is start + cycle months, plus an extension', async (t) => {
  t.equal(cycleEnd('2018-08-01', 24), '2020-08-01');
  t.equal(cycleEnd('2018-08-01', 24, 12), '2021-08-01');
  t.equal(cycleEnd('2018-02-28', 24), '2020-02-28');
  t.equal(cycleEnd('2018-08-31', 18), '2020-02-29', 'clamps into a leap February');
});

t.test('the extension request deadline is lead months before the end', async (t) => {
  t.equal(extensionRequestDeadline('2020-08-01', 3), '2020-05-01');
  t.equal(extensionRequestDeadline('2020-05-31', 3), '2020-02-29');
});

t.test('publicity runs N calendar days including the first', async (t) => {
  t.equal(publicityEnd('2018-07-10', 7), '2018-07-16');
  t.equal(publicityEnd('2018-12-28', 7), '2019-01-03');
});

t.test('the acceptance window closes window months after the end date', async (t) => {
  t.equal(acceptanceDeadline('2020-08-01', 6), '2021-02-01');
  t.equal(acceptanceDeadline('2020-08-31', 6), '2021-02-28');
  t.ok(isWithinAcceptanceWindow('2020-08-01', 6, '2021-02-01'));
  t.notOk(isWithinAcceptanceWindow('2020-08-01', 6, '2021-02-02'));
});

t.test('due and overdue against a given today', async (t) => {
  t.notOk(isOverdue('2019-02-01', '2019-02-01'), 'due today is not overdue');
  t.ok(isOverdue('2019-02-01', '2019-02-02'));
  t.notOk(isOverdue('2019-02-01', '2019-03-01', true), 'done is never overdue');
  t.ok(isDueInMonthOf('2019-02-28', '2019-02-01'));
  t.notOk(isDueInMonthOf('2019-03-01', '2019-02-28'));
  t.equal(daysUntil('2019-03-01', '2019-02-27'), 2);
  const items = [
    { id: 'm1', dueOn: '2019-02-01', done: true },
    { id: 'm2', dueOn: '2019-02-01', done: false },
    { id: 'm3', dueOn: '2019-08-01', done: false },
  ];
  t.same(overdueItems(items, '2019-03-01').map((i) => i.id), ['m2']);
});
