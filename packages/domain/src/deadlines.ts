import { addDays, addMonths, compareDates, periodEnd } from './values/calendar.js';

/**
 * Deadlines of the lifecycle, as pure functions of Asia/Shanghai calendar dates (`YYYY-MM-DD`).
 * "today" is always an argument; the domain never reads a clock.
 */

/**
 * The cycle's last day, inclusive: a task book starting 2018-07-01 on a 24-month cycle runs
 * 2018年7月1日至2020年6月30日. An approved extension lengthens the period counted from the start
 * (24 + 12 months → 2021-06-30), so the end never depends on how a previous end was clamped.
 * See `periodEnd` for month ends.
 */
export function cycleEnd(startOn: string, cycleMonths: number, extensionMonths = 0): string {
  return periodEnd(startOn, cycleMonths + extensionMonths);
}

/**
 * The last day on which an extension may be requested: the same day lead months before the
 * (current, inclusive) end date, clamped to the month's end (end 2020-06-30, 3 → 2020-03-30;
 * end 2020-05-31, 3 → 2020-02-29).
 */
export function extensionRequestDeadline(endOn: string, leadMonths: number): string {
  return addMonths(endOn, -leadMonths);
}

/** The last day of the publicity period that starts on `startsOn` and lasts `days` calendar days. */
export function publicityEnd(startsOn: string, days: number): string {
  return addDays(startsOn, days - 1);
}

/**
 * The acceptance window: from the start of the promotion stage up to this date, inclusive: the
 * same day window months after the (inclusive) end date, clamped (end 2020-06-30, 6 → 2020-12-30),
 * as a period counted from the day after an event ends on its corresponding day (民法典 第二百零一、二百零二条).
 */
export function acceptanceDeadline(endOn: string, windowMonths: number): string {
  return addMonths(endOn, windowMonths);
}

export function isWithinAcceptanceWindow(endOn: string, windowMonths: number, appliedOn: string): boolean {
  return compareDates(appliedOn, acceptanceDeadline(endOn, windowMonths)) <= 0;
}

/** A date is overdue on "today" once today is after it, and the thing is still not done. */
export function isOverdue(dueOn: string, today: string, done = false): boolean {
  return !done && compareDates(today, dueOn) > 0;
}

/** Due in the calendar month of `today` (for "what is due this month"). */
export function isDueInMonthOf(dueOn: string, today: string): boolean {
  return dueOn.slice(0, 7) === today.slice(0, 7);
}

export function daysUntil(dueOn: string, today: string): number {
  return compareDates(dueOn, today);
}
