import { acceptanceDeadline, daysUntil, isOverdue } from '../deadlines.js';
import { compareDates } from '../values/calendar.js';
import type { ProjectState } from './state.js';

export type DueItemKind = 'milestone' | 'rectification' | 'acceptance';

/** Something a running project owes on a day: open then, and overdue once the day is after its due date. */
export interface DueItem {
  readonly kind: DueItemKind;
  /** The milestone or rectification id; `acceptance` for the application for acceptance. */
  readonly itemId: string;
  readonly dueOn: string;
  readonly overdue: boolean;
  readonly daysUntilDue: number;
}

const onOrBefore = (date: string | null | undefined, today: string): boolean => date !== null && date !== undefined && compareDates(date, today) <= 0;

/**
 * The acceptance deadline in force on `today`: from the original end date until an approved
 * extension takes effect (the day it was approved), from the extended end date after.
 */
export function acceptanceDeadlineOn(state: ProjectState, today: string): string | null {
  if (state.taskBook === null || state.policy === null) return null;
  const extended = onOrBefore(state.extension?.approvedOn, today);
  return acceptanceDeadline(extended ? state.taskBook.endOn : state.taskBook.originalEndOn, state.policy.acceptanceWindowMonths);
}

/**
 * What the project owes on `today` (the one definition; the `reporting.due_items_as_of(day)` SQL
 * function is its mirror, held to it by a property test): nothing before the task book's start
 * date or from the day the project ended (terminated, closed). Otherwise
 * - each milestone not accepted on or before `today` (reported but not yet accepted, or returned,
 *   is not done: the bureau accepts a milestone, DOMAIN.md "leaving this stage requires every
 *   milestone accepted");
 * - each rectification ordered on or before `today` and not completed on or before `today`;
 * - the application for acceptance, unless applied for on or before `today`, in either stage.
 * Each is overdue when `today` is after its due date. Only dates on or before `today` count, so a
 * day's answer does not change when later events arrive.
 */
export function dueItems(state: ProjectState, today: string): DueItem[] {
  const book = state.taskBook;
  if (book === null || compareDates(book.startOn, today) > 0 || onOrBefore(state.endedOn, today)) return [];
  const item = (kind: DueItemKind, itemId: string, dueOn: string): DueItem => ({
    kind,
    itemId,
    dueOn,
    overdue: isOverdue(dueOn, today),
    daysUntilDue: daysUntil(dueOn, today),
  });
  const items: DueItem[] = [];
  for (const [id, milestone] of Object.entries(state.milestones)) {
    if (!onOrBefore(milestone.acceptedOn, today)) items.push(item('milestone', id, milestone.dueOn));
  }
  for (const [id, rectification] of Object.entries(state.rectifications)) {
    if (onOrBefore(rectification.orderedOn, today) && !onOrBefore(rectification.completedOn, today)) items.push(item('rectification', id, rectification.dueOn));
  }
  const deadline = acceptanceDeadlineOn(state, today);
  if (deadline !== null && !onOrBefore(state.acceptance?.appliedOn, today)) items.push(item('acceptance', 'acceptance', deadline));
  return items;
}

/** The items of `dueItems(state, today)` that are overdue on `today`. */
export function overdueItems(state: ProjectState, today: string): DueItem[] {
  return dueItems(state, today).filter((i) => i.overdue);
}
