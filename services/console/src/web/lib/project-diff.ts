/** What changed between two versions of a project's state, for the page that went stale: top-level fields, collections by their counts. */
export interface StateChange {
  field: string;
  before: string;
  after: string;
}

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? '是 / yes' : '否 / no';
  if (typeof v === 'string' || typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

function count(v: unknown): number | null {
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return null;
}

/** The top-level differences of two states (and their revisions): a scalar as before → after, a collection by its count, or as "changed" when only its content moved. */
export function diffStates(before: { revision: number; state: object }, after: { revision: number; state: object }): StateChange[] {
  const out: StateChange[] = [];
  const a = before.state as Record<string, unknown>;
  const b = after.state as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (JSON.stringify(x) === JSON.stringify(y)) continue;
    const cx = count(x);
    const cy = count(y);
    const collection = (Array.isArray(x) || Array.isArray(y)) || (cx !== null && cy !== null && !isRecordOfValues(x) && !isRecordOfValues(y));
    if (collection && cx !== cy) out.push({ field: k, before: `${cx ?? 0} 项 / items`, after: `${cy ?? 0} 项 / items` });
    else if (collection) out.push({ field: k, before: `${cx ?? 0} 项 / items`, after: `${cy ?? 0} 项，内容有变 / items, changed` });
    else out.push({ field: k, before: show(x), after: show(y) });
  }
  out.push({ field: 'revision', before: String(before.revision), after: String(after.revision) });
  return out;
}

/** A small object of plain values (e.g. publicity {startsOn, endsOn}) is shown as it is, not counted. */
function isRecordOfValues(v: unknown): boolean {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const values = Object.values(v);
  return values.length > 0 && values.every((x) => x === null || typeof x !== 'object') && values.length <= 6 && !Object.keys(v).every((k) => /^[a-z0-9][\w.-]*$/i.test(k) && /\d|-/.test(k));
}
