import type { EventStore } from '@gongguan/event-store';
import { appError } from '@gongguan/platform';
import { fold, readUpTo, type AggregateKind, type AsOf } from './replay.js';
import { correctsOf, stateCorrections } from '../corrections/pairing.js';

export interface FieldChange {
  /** Dotted path into the state, e.g. `milestones.m1.status`; `` for the whole state. */
  path: string;
  before: unknown;
  after: unknown;
  /** The events between the two points that changed this field, in order. */
  changedBy: Array<{ id: string; revision: number; type: string; recordedAt: string; actorId: string; actorRole: string; corrects?: { eventId: string; type: string } }>;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Differences between two JSON values: objects are compared member by member; anything else
 * (arrays included) is one value, reported whole where it differs.
 */
export function changedPaths(before: unknown, after: unknown, path = ''): Array<{ path: string; before: unknown; after: unknown }> {
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: Array<{ path: string; before: unknown; after: unknown }> = [];
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
      out.push(...changedPaths(before[key], after[key], path === '' ? key : `${path}.${key}`));
    }
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, before, after }];
}

const overlaps = (a: string, b: string): boolean => a === b || a === '' || b === '' || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);

/** Which fields of an aggregate's state changed between two points, and by which events. */
export async function diffAsOf(store: EventStore, kind: AggregateKind, id: string, from: AsOf, to: AsOf) {
  const [start, end] = await Promise.all([readUpTo(store, kind, id, from), readUpTo(store, kind, id, to)]);
  if (end.length < start.length) throw appError('VALIDATION_FAILED', '`to` must not be earlier than `from`', { extra: { errors: [{ path: 'to', message: 'earlier than from' }] } });
  const fromState = fold(kind, start.map((r) => r.domain));
  let state = fromState;
  const touched: Array<{ paths: string[]; event: FieldChange['changedBy'][number] }> = [];
  for (const { event, domain } of end.slice(start.length)) {
    const next = fold(kind, [domain], state);
    const meta = event.metadata;
    const corrects = correctsOf(event);
    touched.push({
      paths: changedPaths(state, next).map((c) => c.path),
      event: { id: event.id, revision: event.revision, type: event.type, recordedAt: meta.recordedAt, actorId: meta.actorId, actorRole: meta.actorRole, ...(corrects ? { corrects } : {}) },
    });
    state = next;
  }
  // The corrections between the two points, each with the values it changed: original and corrected.
  const corrections = stateCorrections(end, fold(kind, []), (s, domain) => fold(kind, [domain], s)).filter((c) => c.event.revision > (start.at(-1)?.event.revision ?? -1));
  const changes: FieldChange[] = changedPaths(fromState, state).map((c) => ({
    ...c,
    changedBy: touched.filter((t) => t.paths.some((p) => overlaps(p, c.path))).map((t) => t.event),
  }));
  const point = (events: typeof start) => ({ revision: events.at(-1)?.event.revision ?? -1, recordedAt: events.at(-1)?.event.metadata.recordedAt ?? null });
  return { kind, id, from: point(start), to: point(end), changes, corrections };
}
