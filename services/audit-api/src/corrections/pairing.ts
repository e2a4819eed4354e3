import type { RecordedEvent } from '@gongguan/event-store';
import { z } from 'zod';

/**
 * Corrections side by side (issue 19). A correcting event carries `data.corrects: { eventId, type }`
 * naming the event it corrects, which stays in its stream untouched. The audit answers pair the two
 * generically, for every event that follows the convention, whoever added its type.
 */

/** What a correcting event names, read from its data; undefined for any other event. */
export function correctsOf(event: Pick<RecordedEvent, 'data'>): { eventId: string; type: string } | undefined {
  const c = (event.data as Record<string, unknown>).corrects;
  if (typeof c !== 'object' || c === null) return undefined;
  const { eventId, type } = c as Record<string, unknown>;
  return typeof eventId === 'string' && typeof type === 'string' ? { eventId, type } : undefined;
}

export const CorrectionRef = z.object({
  eventId: z.string(),
  type: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  reason: z.string().nullable(),
  /** The fact's actor (data.by), else the recording actor (metadata). */
  by: z.object({ id: z.string(), role: z.string() }),
  /** The fact's instant (data.at), else when it was recorded. */
  at: z.string(),
});
export type CorrectionRef = z.infer<typeof CorrectionRef>;

/** The original a correction names, and where it is (null when it is not among the events read). */
export const CorrectedRef = z.object({ eventId: z.string(), type: z.string(), stream: z.string().nullable(), revision: z.number().int().nullable() });
export type CorrectedRef = z.infer<typeof CorrectedRef>;

export function correctionRef(event: RecordedEvent): CorrectionRef {
  const d = event.data as Record<string, unknown>;
  const by = d.by as { id?: unknown; role?: unknown } | undefined;
  return {
    eventId: event.id,
    type: event.type,
    stream: event.stream,
    revision: event.revision,
    reason: typeof d.reason === 'string' ? d.reason : (event.metadata.reason ?? null),
    by: typeof by?.id === 'string' && typeof by.role === 'string' ? { id: by.id, role: by.role } : { id: event.metadata.actorId, role: event.metadata.actorRole },
    at: typeof d.at === 'string' ? d.at : event.metadata.recordedAt,
  };
}

/**
 * History entries with their pairing: a correcting event gets `corrects` (the original, located
 * among `context` when it is there), an original gets `correctedBy` (every correction of it among
 * `context`, in store order). `context` is what was read around the entries (the rest of the
 * stream, the rest of a project's history): corrections follow their original.
 */
export function withCorrections<E extends RecordedEvent>(entries: readonly E[], context: readonly RecordedEvent[] = entries): Array<E & { corrects?: CorrectedRef; correctedBy?: CorrectionRef[] }> {
  const byId = new Map<string, RecordedEvent>();
  const correctedBy = new Map<string, CorrectionRef[]>();
  for (const e of [...entries, ...context]) {
    if (byId.has(e.id)) continue;
    byId.set(e.id, e);
    const c = correctsOf(e);
    if (c) correctedBy.set(c.eventId, [...(correctedBy.get(c.eventId) ?? []), correctionRef(e)]);
  }
  return entries.map((e) => {
    const c = correctsOf(e);
    const original = c ? byId.get(c.eventId) : undefined;
    const by = correctedBy.get(e.id);
    return {
      ...e,
      ...(c ? { corrects: { ...c, stream: original?.stream ?? null, revision: original?.revision ?? null } } : {}),
      ...(by ? { correctedBy: by } : {}),
    };
  });
}

/** One correction of an aggregate's state: the correcting event, the original it names, and each value before and after it. */
export const StateCorrection = z.object({
  event: CorrectionRef,
  corrects: CorrectedRef,
  changes: z.array(z.object({ path: z.string().describe('Dotted path into the state'), original: z.unknown(), corrected: z.unknown() })),
});
export type StateCorrection = z.infer<typeof StateCorrection>;

const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v ?? null));
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Paths whose values differ between two JSON states (objects member by member, anything else whole). */
export function differences(before: unknown, after: unknown, path = ''): Array<{ path: string; original: unknown; corrected: unknown }> {
  if (isPlainObject(before) && isPlainObject(after)) {
    const out: Array<{ path: string; original: unknown; corrected: unknown }> = [];
    for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) out.push(...differences(before[key], after[key], path === '' ? key : `${path}.${key}`));
    return out;
  }
  return JSON.stringify(before) === JSON.stringify(after) ? [] : [{ path, original: before ?? null, corrected: after ?? null }];
}

/**
 * The corrections among `events` (one stream, in order), each with the state's values before it
 * (the original) and after it (the corrected), folding with `step` from `initial`.
 */
export function stateCorrections<D>(events: ReadonlyArray<{ event: RecordedEvent; domain: D }>, initial: unknown, step: (state: unknown, domain: D) => unknown): StateCorrection[] {
  const found: StateCorrection[] = [];
  const byId = new Map(events.map(({ event }) => [event.id, event]));
  let state = initial;
  for (const { event, domain } of events) {
    const next = step(state, domain);
    const c = correctsOf(event);
    if (c) {
      const original = byId.get(c.eventId);
      found.push({
        event: correctionRef(event),
        corrects: { ...c, stream: original?.stream ?? null, revision: original?.revision ?? null },
        changes: differences(asJson(state), asJson(next)),
      });
    }
    state = next;
  }
  return found;
}
