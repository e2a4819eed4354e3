import t from 'tap';
import {
  acceptanceDeadline,
  cycleEnd,
  daysUntil,
  extensionRequestDeadline,
  isDueInMonthOf,
  isOverdue,
  isWithinAcceptanceWindow,
  publicityEnd,
} from '../src/deadlines.js';

t.test('the cycle end is inclusive: the day before the same date cycle months later', async (t) => {
  t.equal(cycleEnd('2018-07-01', 24), '2020-06-30', '2018年7月1日至2020年6月30日');
  t.equal(cycleEnd('2018-07-01', 24, 12), '2021-06-30', 'a 12-month extension');
  t.equal(cycleEnd('2018-08-01', 24), '2020-07-31');
  t.equal(cycleEnd('2018-02-28', 24), '2020-02-27');
  t.equal(cycleEnd('2019-02-28', 12), '2020-02-27', 'a leap year: 2020-02-28 starts the next year of the cycle');
  t.equal(cycleEnd('2020-02-29', 12), '2021-02-28', 'no 29 February: to the end of the month');
  t.equal(cycleEnd('2020-02-29', 48), '2024-02-28');
  t.equal(cycleEnd('2019-03-01', 12), '2020-02-29', 'a start on the 1st ends on the last day of the month before');
  t.equal(cycleEnd('2018-01-31', 24), '2020-01-30');
  t.equal(cycleEnd('2018-01-31', 1), '2018-02-28', '31 February does not exist: the cycle runs to the end of February');
  t.equal(cycleEnd('2018-01-30', 1), '2018-02-28');
  t.equal(cycleEnd('2018-01-29', 1), '2018-02-28');
  t.equal(cycleEnd('2018-01-28', 1), '2018-02-27');
  t.equal(cycleEnd('2018-08-31', 18), '2020-02-29', 'clamps into a leap February');
  t.equal(cycleEnd('2018-12-31', 12), '2019-12-30');
  t.throws(() => cycleEnd('2018-07-01', 0), RangeError, 'a cycle lasts at least a month');
});

t.test('the extension request deadline is lead months before the (inclusive) end', async (t) => {
  t.equal(extensionRequestDeadline(cycleEnd('2018-07-01', 24), 3), '2020-03-30');
  t.equal(extensionRequestDeadline('2020-07-31', 3), '2020-04-30');
  t.equal(extensionRequestDeadline('2020-05-31', 3), '2020-02-29');
});

t.test('publicity runs N calendar days including the first', async (t) => {
  t.equal(publicityEnd('2018-07-10', 7), '2018-07-16');
  t.equal(publicityEnd('2018-12-28', 7), '2019-01-03');
});

t.test('the acceptance window closes window months after the end date', async (t) => {
  t.equal(acceptanceDeadline(cycleEnd('2018-07-01', 24), 6), '2020-12-30');
  t.equal(acceptanceDeadline(cycleEnd('2018-07-01', 24, 12), 6), '2021-12-30', 'after an extension');
  t.equal(acceptanceDeadline('2020-08-31', 6), '2021-02-28');
  t.ok(isWithinAcceptanceWindow('2020-07-31', 6, '2021-01-31'));
  t.notOk(isWithinAcceptanceWindow('2020-07-31', 6, '2021-02-01'));
});

t.test('due and overdue against a given today', async (t) => {
  t.notOk(isOverdue('2019-02-01', '2019-02-01'), 'due today is not overdue');
  t.ok(isOverdue('2019-02-01', '2019-02-02'));
  t.notOk(isOverdue('2019-02-01', '2019-03-01', true), 'done is never overdue');
  t.ok(isDueInMonthOf('2019-02-28', '2019-02-01'));
  t.notOk(isDueInMonthOf('2019-03-01', '2019-02-28'));
  t.equal(daysUntil('2019-03-01', '2019-02-27'), 2);
});
