import { addDays, addMonths, compareDates } from './values/calendar.js';

/**
 * Deadlines of the lifecycle, as pure functions of Asia/Shanghai calendar dates (`YYYY-MM-DD`).
 * "today" is always an argument; the domain never reads a clock.
 */

/** The cycle's end: start + cycle months, plus an approved extension (months clamp to month end). */
export function cycleEnd(startOn: string, cycleMonths: number, extensionMonths = 0): string {
  return addMonths(startOn, cycleMonths + extensionMonths);
}

/** The last day on which an extension may be requested: lead months before the (current) end date. */
export function extensionRequestDeadline(endOn: string, leadMonths: number): string {
  return addMonths(endOn, -leadMonths);
}

/** The last day of the publicity period that starts on `startsOn` and lasts `days` calendar days. */
export function publicityEnd(startsOn: string, days: number): string {
  return addDays(startsOn, days - 1);
}

/** The acceptance window: from the start of the promotion stage up to this date, inclusive. */
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

export interface DatedItem {
  readonly dueOn: string;
  readonly done: boolean;
}

/** Milestones (or rectifications) overdue on `today`. */
export function overdueItems<T extends DatedItem>(items: readonly T[], today: string): T[] {
  return items.filter((item) => isOverdue(item.dueOn, today, item.done));
}
