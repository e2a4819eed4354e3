import type { Sql } from '@gongguan/platform/db';
import type { ReadGate } from './read-gate.js';

/** What every reporting route needs. */
export interface ReportingContext {
  sql: Sql;
  /** "Now", injectable so tests can move the calendar: overdue and days-left are evaluated against it. */
  clock: () => Date;
  /** Stands before every read: refuses reads of stopped projections, waits for `?minPosition=`. */
  gate: ReadGate;
}
