import { z } from 'zod';
import { appError, type FieldError } from '@gongguan/platform/errors';
import type { EventFilter, EventToAppend, ExpectedRevision } from './event-store.js';

export const STREAM_NAME = /^[a-z][a-z0-9-]*-[A-Za-z0-9._:-]+$/;
export const STREAM_NAME_MAX = 200;
export const EVENT_TYPE = /^[A-Z][A-Za-z0-9]*$/;

const uuid = z
  .string()
  .regex(/^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/, 'must be a UUID');
const label = z.string().min(1).max(200);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be an ISO 8601 date');

const eventToAppend = z.strictObject({
  id: uuid,
  type: z.string().max(100).regex(EVENT_TYPE, 'must be PascalCase letters and digits'),
  schemaVersion: z.number().int().min(1).max(1_000_000),
  data: z.custom<Record<string, unknown>>(
    (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    'must be a JSON object',
  ),
  metadata: z.strictObject({
    actorId: label,
    actorRole: label,
    correlationId: label,
    causationId: label.optional(),
    effectiveDate: isoDate.optional(),
    reason: z.string().max(10_000).optional(),
    backRecorded: z.strictObject({ by: label, role: label }).optional(),
  }),
});

/** Refuses a bad stream name with INVALID_STREAM_NAME. */
export function assertStreamName(stream: string): void {
  if (typeof stream !== 'string' || stream.length > STREAM_NAME_MAX || !STREAM_NAME.test(stream)) {
    throw appError(
      'INVALID_STREAM_NAME',
      `stream name must match ${STREAM_NAME.source} and have at most ${STREAM_NAME_MAX} characters`,
      { extra: { stream: String(stream).slice(0, STREAM_NAME_MAX + 20) } },
    );
  }
}

export function validationFailed(detail: string, errors: FieldError[]): Error {
  return appError('VALIDATION_FAILED', detail, { extra: { errors } });
}

/** Checks the shape of every event (deep JSON validity is checked when canonicalising). */
export function validateEvents(events: readonly EventToAppend[]): EventToAppend[] {
  if (!Array.isArray(events)) throw validationFailed('events must be an array', [{ path: 'events', message: 'must be an array' }]);
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  const valid: EventToAppend[] = [];
  events.forEach((event, i) => {
    const parsed = eventToAppend.safeParse(event);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        errors.push({ path: `events[${i}]${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}`, message: issue.message });
      }
      return;
    }
    const id = parsed.data.id.toLowerCase();
    if (seen.has(id)) errors.push({ path: `events[${i}].id`, message: 'appears twice in this append' });
    seen.add(id);
    valid.push({ ...parsed.data, id });
  });
  if (errors.length > 0) throw validationFailed('some events are not valid', errors);
  return valid;
}

/**
 * The path of the first string holding U+0000 in `value` (member names included), or null.
 * PostgreSQL's jsonb and text cannot hold that character, so an event carrying one would be
 * recorded and then break every projection that copies it: it is refused here, at the last door.
 */
export function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (typeof value !== 'object' || value === null) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = nulPath(value[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  }
  for (const [key, member] of Object.entries(value)) {
    if (key.includes('\u0000')) return `${path}.${key.replaceAll('\u0000', '\\u0000')}`;
    const found = nulPath(member, `${path}.${key}`);
    if (found !== null) return found;
  }
  return null;
}

/** Normalises an expected revision; exact revisions become numbers (-1 is not allowed: use 'no_stream'). */
export function normaliseExpectedRevision(expected: ExpectedRevision): 'no_stream' | 'any' | 'stream_exists' | number {
  if (expected === 'no_stream' || expected === 'any' || expected === 'stream_exists') return expected;
  const n = typeof expected === 'bigint' ? Number(expected) : expected;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
    throw validationFailed('expectedRevision is not valid', [
      { path: 'expectedRevision', message: "must be 'no_stream', 'any', 'stream_exists' or a revision >= 0" },
    ]);
  }
  return n;
}

/** A revision bound given by a caller, as a number. */
export function revisionBound(value: number | bigint | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (!Number.isSafeInteger(n) || n < 0) {
    throw validationFailed(`${name} is not valid`, [{ path: name, message: 'must be an integer >= 0' }]);
  }
  return n;
}

export function limitOption(value: number | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw validationFailed('limit is not valid', [{ path: 'limit', message: `must be an integer from 1 to ${max}` }]);
  }
  return value;
}

/** A subscription's minimum interval between live reads, in ms (0 to 60000). */
export function wakeIntervalOption(value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isSafeInteger(value) || value < 0 || value > 60_000) {
    throw validationFailed('minWakeIntervalMs is not valid', [{ path: 'minWakeIntervalMs', message: 'must be an integer from 0 to 60000' }]);
  }
  return value;
}

/** An instant given as a Date or an ISO string, as the ISO string the database compares. */
export function instantOption(value: Date | string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? new Date(value) : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime()) || (typeof value === 'string' && !isoDate.safeParse(value).success)) {
    throw validationFailed(`${name} is not valid`, [{ path: name, message: 'must be a Date or an ISO 8601 instant' }]);
  }
  // A string keeps its microseconds; a Date has only milliseconds.
  return typeof value === 'string' ? value : value.toISOString();
}

/** A filter checked by {@link checkFilter}: stream prefixes (literal) and event types, each absent or non-empty. */
export interface CheckedFilter {
  prefixes?: string[];
  types?: string[];
}

/** Validates a filter the same way for every adapter: each given member a non-empty list of non-empty strings. */
export function checkFilter(filter: EventFilter | undefined): CheckedFilter {
  if (filter === undefined) return {};
  const out: CheckedFilter = {};
  for (const [key, list] of [
    ['streamPrefixes', filter.streamPrefixes],
    ['eventTypes', filter.eventTypes],
  ] as const) {
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s.length === 0)) {
      throw validationFailed('filter is not valid', [{ path: `filter.${key}`, message: 'must be a non-empty list of non-empty strings' }]);
    }
    if (key === 'streamPrefixes') out.prefixes = [...list];
    else out.types = [...list];
  }
  return out;
}

/** The metadata of a recorded event, as every adapter returns it (see EventMetadata). */
export const recordedMetadataSchema = z.object({
  actorId: z.string(),
  actorRole: z.string(),
  correlationId: z.string(),
  causationId: z.string().nullable(),
  recordedAt: z.string(),
  effectiveDate: z.string().optional(),
  reason: z.string().optional(),
  backRecorded: z.object({ by: z.string(), role: z.string() }).optional(),
});
