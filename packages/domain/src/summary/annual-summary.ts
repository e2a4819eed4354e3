import { z } from 'zod';
import { assertNever, assertRole } from '../authorize.js';
import { BureauCode, bureauLevel } from '../bureau/codes.js';
import type { CommandsOf, Decider, EventsOf } from '../decider.js';
import { domainError } from '../errors.js';
import type { Role } from '../roles.js';
import { compareDates, IsoDate, toShanghaiDate } from '../values/calendar.js';
import { Name, RecordedName, RecordedText, recorded, Text } from '../values/common.js';

/**
 * When a city's annual work summary for a year is due at the province: January 15 of the next year
 * (seed 001: 各设区市科技局于次年1月15日前报送年度工作总结). A policy of the province, kept here as its
 * one definition; the reporting of late and missing summaries reads it through this function.
 */
export const ANNUAL_SUMMARY_DUE = { month: 1, day: 15 } as const;

export function annualSummaryDueOn(year: number): string {
  return `${year + 1}-${String(ANNUAL_SUMMARY_DUE.month).padStart(2, '0')}-${String(ANNUAL_SUMMARY_DUE.day).padStart(2, '0')}`;
}

/** Where a city's summary for a year stands on a day: submitted on time or late, not yet due, or missing (due and not submitted). */
export type AnnualSummaryStatus = 'on_time' | 'late' | 'pending' | 'missing';

export const annualSummaryStatusNames: Record<AnnualSummaryStatus, string> = {
  on_time: '按时报送',
  late: '逾期报送',
  pending: '未到期',
  missing: '逾期未报',
};

export function annualSummaryStatus(year: number, submittedOn: string | null, today: string): AnnualSummaryStatus {
  const dueOn = annualSummaryDueOn(year);
  if (submittedOn !== null) return compareDates(submittedOn, dueOn) <= 0 ? 'on_time' : 'late';
  return compareDates(today, dueOn) > 0 ? 'missing' : 'pending';
}

const Year = z.int().min(2000).max(2100);

export const annualSummaryCommandSchemas = {
  /**
   * A city bureau submits its annual work summary for a year to the province. The bureau is the
   * caller's own (the HTTP layer sets it from the token); `submittedOn` is the business date, the
   * command's date by default, never in the future and not before the year began.
   */
  SubmitAnnualSummary: z.strictObject({
    bureauCode: BureauCode,
    year: Year,
    title: Name,
    summary: Text,
    submittedOn: IsoDate.optional(),
  }),
} as const;

export const annualSummaryEventSchemas = {
  AnnualSummarySubmitted: z.strictObject({
    ...recorded,
    bureauCode: BureauCode,
    year: Year,
    title: RecordedName,
    summary: RecordedText,
    submittedOn: IsoDate,
    /** The due date in force when it was submitted (policy), so a later change of policy does not rewrite history. */
    dueOn: IsoDate,
    late: z.boolean(),
  }),
} as const;

export type AnnualSummaryCommand = CommandsOf<typeof annualSummaryCommandSchemas>;
export type AnnualSummaryEvent = EventsOf<typeof annualSummaryEventSchemas>;

export const annualSummaryCommandRoles: Record<AnnualSummaryCommand['type'], Role[]> = {
  SubmitAnnualSummary: ['officer'],
};

export interface AnnualSummaryState {
  readonly status: 'none' | 'submitted';
  readonly bureauCode: string;
  readonly year: number;
  readonly title: string;
  readonly submittedOn: string | null;
  readonly dueOn: string | null;
  readonly late: boolean;
}

export const initialAnnualSummaryState: AnnualSummaryState = {
  status: 'none',
  bureauCode: '',
  year: 0,
  title: '',
  submittedOn: null,
  dueOn: null,
  late: false,
};

function decide(command: AnnualSummaryCommand, state: AnnualSummaryState): AnnualSummaryEvent[] {
  assertRole(command.type, command.actor, annualSummaryCommandRoles[command.type]);
  switch (command.type) {
    case 'SubmitAnnualSummary': {
      const { bureauCode, year, title, summary } = command.data;
      const today = toShanghaiDate(command.at);
      const submittedOn = command.data.submittedOn ?? today;
      if (state.status === 'submitted') {
        // A retried submission finds itself; a second, different one is refused (the first one is what the province received).
        if (state.title === title && state.submittedOn === submittedOn) return [];
        throw domainError('ALREADY_EXISTS', `${bureauCode} 的 ${year} 年度工作总结已于 ${state.submittedOn ?? ''} 报送 (the ${year} summary was already submitted)`, { bureauCode, year });
      }
      if (bureauLevel(bureauCode) !== 'city') {
        throw domainError('SUMMARY_NOT_CITY', `年度工作总结由设区市科技局报送，${bureauCode} 不是市级单位 (annual summaries are submitted by city bureaus)`, { bureauCode });
      }
      if (compareDates(submittedOn, today) > 0) {
        throw domainError('INVALID_DATE_RANGE', `报送日期 ${submittedOn} 晚于今天 ${today} (a submission date cannot be in the future)`, { submittedOn, today });
      }
      if (compareDates(submittedOn, `${year}-01-01`) < 0) {
        throw domainError('INVALID_DATE_RANGE', `报送日期 ${submittedOn} 早于 ${year} 年 (a summary of ${year} is submitted in ${year} or later)`, { submittedOn, year });
      }
      const dueOn = annualSummaryDueOn(year);
      return [
        {
          type: 'AnnualSummarySubmitted',
          data: { by: command.actor, at: command.at, bureauCode, year, title, summary, submittedOn, dueOn, late: compareDates(submittedOn, dueOn) > 0 },
        },
      ];
    }
    default:
      return assertNever(command.type);
  }
}

function evolve(state: AnnualSummaryState, event: AnnualSummaryEvent): AnnualSummaryState {
  switch (event.type) {
    case 'AnnualSummarySubmitted': {
      const { bureauCode, year, title, submittedOn, dueOn, late } = event.data;
      return { status: 'submitted', bureauCode, year, title, submittedOn, dueOn, late };
    }
    default:
      return assertNever(event.type);
  }
}

/** A city's annual work summary for one year (stream `annual-summary-<bureau>-<year>`): submitted once, to the province. */
export const annualSummaryDecider: Decider<AnnualSummaryCommand, AnnualSummaryState, AnnualSummaryEvent> = {
  decide,
  evolve,
  initialState: initialAnnualSummaryState,
};

export function annualSummaryStream(bureauCode: string, year: number): string {
  return `annual-summary-${bureauCode}-${year}`;
}
