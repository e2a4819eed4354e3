import fc from 'fast-check';
import t from 'tap';
import { acceptanceDeadline, cycleEnd, extensionRequestDeadline } from '../../src/deadlines.js';
import { addDays, addMonths, compareDates, daysInMonth, fromDayNumber, parseYmd, periodEnd, toDayNumber } from '../../src/values/calendar.js';

// Any day from 1900-01-01 to 2199-12-31, with month ends and leap days drawn often.
const anyDay = fc.integer({ min: toDayNumber('1900-01-01'), max: toDayNumber('2199-12-31') }).map(fromDayNumber);
const monthEnd = fc
  .record({ year: fc.integer({ min: 1900, max: 2199 }), month: fc.integer({ min: 1, max: 12 }), back: fc.integer({ min: 0, max: 3 }) })
  .map(({ year, month, back }) => addDays(`${year}-${String(month).padStart(2, '0')}-01`, daysInMonth(year, month) - 1 - back));
const start = fc.oneof(anyDay, monthEnd);
const months = fc.integer({ min: 1, max: 120 });
const runs = { numRuns: 2000 };

const dayOf = (date: string): number => parseYmd(date)?.day ?? Number.NaN;

t.test('the end is after the start and inside the month N later or the one before', async (t) => {
  fc.assert(
    fc.property(start, months, (startOn, n) => {
      const end = periodEnd(startOn, n);
      if (compareDates(end, startOn) <= 0) return false;
      const anniversaryMonth = addMonths(startOn, n).slice(0, 7);
      const dayBeforeMonth = addMonths(addDays(`${anniversaryMonth}-01`, -1), 0).slice(0, 7);
      return end.slice(0, 7) === anniversaryMonth || (dayOf(startOn) === 1 && end.slice(0, 7) === dayBeforeMonth);
    }),
    runs,
  );
  t.pass('end > start');
});

t.test('the end is inclusive: the day after it is the same date N months later, or the 1st after a month too short', async (t) => {
  fc.assert(
    fc.property(start, months, (startOn, n) => {
      const next = addDays(periodEnd(startOn, n), 1);
      const anniversary = addMonths(startOn, n);
      const clamped = dayOf(anniversary) !== dayOf(startOn);
      return clamped ? next === addDays(anniversary, 1) && dayOf(next) === 1 : next === anniversary;
    }),
    runs,
  );
  t.pass('end + 1 day starts the next period');
});

t.test('a period of N months is as long as those N calendar months, give or take the days a short month cannot hold', async (t) => {
  fc.assert(
    fc.property(start, months, (startOn, n) => {
      const days = compareDates(periodEnd(startOn, n), startOn) + 1;
      return days >= 28 * n && days <= 31 * n + 3 && days >= Math.floor(365 * Math.floor(n / 12));
    }),
    runs,
  );
  t.pass();
});

t.test('the end never moves back when the start or the length grows', async (t) => {
  fc.assert(
    fc.property(start, months, fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 24 }), (startOn, n, laterBy, longerBy) => {
      const later = addDays(startOn, laterBy);
      return compareDates(periodEnd(later, n), periodEnd(startOn, n)) >= 0 && compareDates(periodEnd(startOn, n + longerBy), periodEnd(startOn, n)) >= 0;
    }),
    runs,
  );
  t.pass();
});

t.test('extension arithmetic: the cycle extended by E months ends where a cycle of N + E months would, after the old end', async (t) => {
  fc.assert(
    fc.property(start, months, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 12 }), (startOn, n, e, lead) => {
      const end = cycleEnd(startOn, n);
      const extended = cycleEnd(startOn, n, e);
      if (extended !== cycleEnd(startOn, n + e) || compareDates(extended, end) <= 0) return false;
      // E more months add between 28·E and 31·E days (one more for the end of a short month).
      const added = compareDates(extended, end);
      if (added < 28 * e - 3 || added > 31 * e + 3) return false;
      // The request deadline comes before the end, the acceptance deadline after it, each `lead` months away.
      const deadline = extensionRequestDeadline(end, lead);
      const acceptance = acceptanceDeadline(end, lead);
      return (
        compareDates(deadline, end) < 0 &&
        compareDates(acceptance, end) > 0 &&
        deadline === addMonths(end, -lead) &&
        acceptance === addMonths(end, lead)
      );
    }),
    runs,
  );
  t.pass();
});
