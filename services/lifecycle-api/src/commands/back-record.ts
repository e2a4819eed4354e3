import { appError } from '@gongguan/platform';
import type { EventRef, EventRefs } from './aggregate-cache.js';
import type { Environment } from './ids.js';

/**
 * Back-recording: a fact entered after it happened (a bureau entering its programmes from before
 * Gongguan, an import). The command carries its effective instant; the domain's rules read that
 * instant as "now" (windows, deadlines, publicity periods, payment years), the events say who
 * entered them (`metadata.backRecorded`), and the store's `recordedAt` says when.
 */
export interface BackRecord {
  /** The instant the fact took effect (ISO 8601, UTC): the command's `at`. */
  effectiveAt: string;
  /** Who entered it, and in which role (the fact's own actor may be someone else: an import names the historical person). */
  by: string;
  role: string;
}

/** `Effective-Date`: a calendar date (Asia/Shanghai) or an instant with its offset. */
export const EFFECTIVE_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

const DAY_MS = 86_400_000;
const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
/** Nothing before this is a fact of a programme the system could hold. */
const EARLIEST = Date.UTC(1990, 0, 1);

/**
 * The instant a back-recorded command takes effect. A calendar date D means the last moment of D
 * in Asia/Shanghai (or now, when D is today): a fact entered for D follows whatever the stream
 * already holds for D, so entering a day's facts in their order never runs a stream backwards. An
 * instant means itself. Either must not lie in the future: 422 EFFECTIVE_DATE_IN_FUTURE.
 */
export function effectiveInstant(header: string, now: Date): string {
  if (!EFFECTIVE_DATE_PATTERN.test(header)) {
    throw appError('VALIDATION_FAILED', 'Effective-Date 须为日期 YYYY-MM-DD 或带时区的时刻 (must be a date YYYY-MM-DD or an ISO 8601 instant with offset)', {
      extra: { errors: [{ path: 'headers.effective-date', message: 'must be YYYY-MM-DD or an ISO 8601 instant with offset' }] },
    });
  }
  let ms: number;
  if (header.length === 10) {
    const [y, m, d] = header.split('-').map(Number) as [number, number, number];
    const startUtc = Date.UTC(y, m - 1, d);
    const check = new Date(startUtc);
    if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) throw notADate(header);
    const startOfDay = startUtc - SHANGHAI_OFFSET_MS;
    if (startOfDay > now.getTime()) throw inFuture(header, now);
    ms = Math.min(startOfDay + DAY_MS - 1, now.getTime());
  } else {
    ms = Date.parse(header);
    if (Number.isNaN(ms)) throw notADate(header);
    if (ms > now.getTime()) throw inFuture(header, now);
  }
  if (ms < EARLIEST) throw notADate(header);
  return new Date(ms).toISOString();
}

function notADate(header: string) {
  return appError('VALIDATION_FAILED', `Effective-Date ${header} 不是有效的日期 (is not a valid date on or after 1990-01-01)`, {
    extra: { errors: [{ path: 'headers.effective-date', message: 'not a valid date on or after 1990-01-01' }] },
  });
}

function inFuture(header: string, now: Date) {
  return appError('EFFECTIVE_DATE_IN_FUTURE', `生效日期 ${header} 晚于当前时间，补录只能记录已发生的事实 (an effective date cannot lie in the future: back-recording enters facts that already happened)`, {
    extra: { effectiveDate: header, now: now.toISOString() },
  });
}

/** The environment of a back-recorded command: "now" is the effective instant; ids are the service's. */
export function effectiveEnvironment(env: Environment, effectiveAt: string): Environment {
  const at = new Date(effectiveAt);
  return { now: () => new Date(at), newId: () => env.newId() };
}

/** The `at` of the last event of a stream that has one (every recorded domain fact does). */
export function lastEffectiveAt(events: EventRefs): string | undefined {
  return events.findLast((ref: EventRef) => ref.at !== undefined)?.at;
}

/**
 * A stream's effective dates never go backwards: a back-recorded command whose instant lies before
 * the last fact of a stream it writes is refused (409), since every rule that fact passed was read
 * as of its own date. Live commands take the server clock, which is after every back-recorded fact.
 */
export function assertEffectiveOrder(stream: string, events: EventRefs, at: string): void {
  const last = lastEffectiveAt(events);
  if (last === undefined || Date.parse(last) <= Date.parse(at)) return;
  throw appError(
    'EFFECTIVE_DATE_BEFORE_STREAM',
    `${stream} 已有生效于 ${last} 的记录，不能再补录生效于 ${at} 的事实；请按日期先后补录 (${stream} already holds a fact effective ${last}; enter facts in date order)`,
    { extra: { stream, effectiveAt: at, lastEffectiveAt: last } },
  );
}
