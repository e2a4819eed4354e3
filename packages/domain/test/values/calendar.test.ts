import t from 'tap';
import { IsoDate, IsoInstant, addDays, addMonths, compareDates, fromDayNumber, parseYmd, toDayNumber, toShanghaiDate } from '../../src/values/calendar.js';

t.test('Feb 29 exists only in leap years', async (t) => {
  t.ok(IsoDate.safeParse('2020-02-29').success);
  t.ok(IsoDate.safeParse('2000-02-29').success, '2000 is divisible by 400');
  t.notOk(IsoDate.safeParse('2019-02-29').success);
  t.notOk(IsoDate.safeParse('1900-02-29').success, '1900 is divisible by 100 but not 400');
});

t.test('other impossible or malformed dates are refused', async (t) => {
  for (const bad of ['2018-04-31', '2018-13-01', '2018-00-10', '2018-01-00', '2018-1-5', '20180105', '2018-01-05T00:00:00Z', ' 2018-01-05', '']) {
    t.notOk(IsoDate.safeParse(bad).success, JSON.stringify(bad));
  }
  t.notOk(IsoDate.safeParse(20180105).success);
  t.same(parseYmd('2018-12-31'), { year: 2018, month: 12, day: 31 });
});

t.test('adding months clamps to the end of the month', async (t) => {
  t.equal(addMonths('2018-01-31', 1), '2018-02-28');
  t.equal(addMonths('2020-01-31', 1), '2020-02-29');
  t.equal(addMonths('2018-08-31', 24), '2020-08-31');
  t.equal(addMonths('2018-03-31', -1), '2018-02-28');
  t.equal(addMonths('2018-11-15', 3), '2019-02-15');
  t.equal(addMonths('2019-01-15', -13), '2017-12-15');
});

t.test('day arithmetic crosses months, years and leap days', async (t) => {
  t.equal(addDays('2018-12-31', 1), '2019-01-01');
  t.equal(addDays('2020-02-28', 1), '2020-02-29');
  t.equal(addDays('2019-02-28', 1), '2019-03-01');
  t.equal(addDays('2018-03-01', -1), '2018-02-28');
  t.equal(toDayNumber('1970-01-01'), 0);
  t.equal(fromDayNumber(toDayNumber('2024-02-29')), '2024-02-29');
  t.ok(compareDates('2018-07-16', '2018-07-17') < 0);
  t.equal(compareDates('2018-07-16', '2018-07-16'), 0);
});

t.test('an instant becomes its Asia/Shanghai date (UTC+8)', async (t) => {
  t.equal(toShanghaiDate('2018-06-30T15:59:59Z'), '2018-06-30');
  t.equal(toShanghaiDate('2018-06-30T16:00:00Z'), '2018-07-01', 'midnight in Shanghai is 16:00 UTC');
  t.equal(toShanghaiDate('2018-12-31T23:30:00+08:00'), '2018-12-31');
  t.equal(toShanghaiDate('2019-01-01T00:30:00+09:00'), '2018-12-31');
  t.equal(toShanghaiDate('2020-02-28T20:00:00Z'), '2020-02-29');
  t.throws(() => toShanghaiDate('yesterday'));
});

t.test('instants must carry an offset', async (t) => {
  t.ok(IsoInstant.safeParse('2018-06-01T10:00:00+08:00').success);
  t.ok(IsoInstant.safeParse('2018-06-01T02:00:00.123Z').success);
  t.notOk(IsoInstant.safeParse('2018-06-01').success);
});
