import { z } from 'zod';

/**
 * Calendar dates as `YYYY-MM-DD` strings on the Asia/Shanghai calendar. Arithmetic is done on
 * year/month/day integers and day numbers, never on Date objects with a time zone, so no
 * date shifts by a day when the server runs in another zone.
 */
export interface YearMonthDay {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function parseYmd(date: string): YearMonthDay | null {
  const match = DATE_PATTERN.exec(date);
  if (match === null) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return { year, month, day };
}

function ymdOf(date: string): YearMonthDay {
  const ymd = parseYmd(date);
  if (ymd === null) throw new RangeError(`not a calendar date: ${date}`);
  return ymd;
}

export function formatYmd({ year, month, day }: YearMonthDay): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Day number since 1970-01-01 (proleptic Gregorian), after H. Hinnant's days_from_civil. */
export function toDayNumber(date: string): number {
  const { year, month, day } = ymdOf(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(days: number): string {
  const z0 = days + 719468;
  const era = Math.floor(z0 / 146097);
  const doe = z0 - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return formatYmd({ year, month, day });
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Adds calendar months; a day past the end of the target month clamps to its last day (01-31 + 1 = 02-28). */
export function addMonths(date: string, months: number): string {
  const { year, month, day } = ymdOf(date);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return formatYmd({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

/** Months from the month of `a` to the month of `b` (days ignored): 2018-07-31 → 2020-07-01 is 24. */
export function monthsBetween(a: string, b: string): number {
  const from = ymdOf(a);
  const to = ymdOf(b);
  return (to.year - from.year) * 12 + (to.month - from.month);
}

/**
 * The last day of a period of `months` calendar months that includes its first day `startOn`: the
 * day before the same date `months` later (2018-07-01, 24 → 2020-06-30). When that date does not
 * exist, the period runs to the end of that month (2018-01-31, 1 → 2018-02-28; 2020-02-29, 12 →
 * 2021-02-28), so no day is left between one period and the next and the end never moves back
 * when the start moves forward. A period starting on the 1st ends on the last day of the month
 * before (2019-03-01, 12 → 2020-02-29).
 */
export function periodEnd(startOn: string, months: number): string {
  if (!Number.isInteger(months) || months < 1) throw new RangeError(`a period lasts a whole number of months, at least 1: ${months}`);
  const { year, month, day } = ymdOf(startOn);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  if (day === 1) return addDays(formatYmd({ year: targetYear, month: targetMonth, day: 1 }), -1);
  return formatYmd({ year: targetYear, month: targetMonth, day: Math.min(day - 1, daysInMonth(targetYear, targetMonth)) });
}

/** Negative if a is before b, 0 if equal, positive if after. */
export function compareDates(a: string, b: string): number {
  return toDayNumber(a) - toDayNumber(b);
}

export function yearOf(date: string): number {
  return ymdOf(date).year;
}

const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The Asia/Shanghai calendar date (UTC+8 all year, no DST since 1991) of an ISO 8601 instant. */
export function toShanghaiDate(isoInstant: string): string {
  const ms = Date.parse(isoInstant);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO instant: ${isoInstant}`);
  return fromDayNumber(Math.floor((ms + SHANGHAI_OFFSET_MS) / 86_400_000));
}

/** A calendar date `YYYY-MM-DD` that exists (2019-02-29 does not). */
export const IsoDate = z.string().refine((value) => parseYmd(value) !== null, {
  message: 'must be a calendar date YYYY-MM-DD that exists',
});
export type IsoDate = z.infer<typeof IsoDate>;

/** An instant with an explicit offset, e.g. 2018-06-01T09:30:00+08:00 or ...Z: when something was recorded. */
export const IsoInstant = z.iso.datetime({ offset: true });
export type IsoInstant = z.infer<typeof IsoInstant>;

export const Year = z.int().min(1990).max(2200);
