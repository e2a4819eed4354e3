import type { Sql } from '@gongguan/platform/db';

/** What every reporting route needs. */
export interface ReportingContext {
  sql: Sql;
  /** "Now", injectable so tests can move the calendar: overdue and days-left are evaluated against it. */
  clock: () => Date;
  /** Longest `?minPosition=` wait in milliseconds. */
  maxWaitMs: number;
}
