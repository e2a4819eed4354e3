/** Reading the JSON schemas of /openapi.json: which input each field takes, and turning form values into a request body. */
import { fenForApi, parseYuan } from '../lib/format';

export type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  anyOf?: Schema[];
  oneOf?: Schema[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  description?: string;
  format?: string;
};

/** Fields that carry money (integer fen on the wire, yuan in the form). */
export const MONEY_FIELDS = new Set(['amount', 'approvedFunding', 'requestedFunding', 'r1GrantAmount', 'r2Threshold', 'r2AnnualCap', 'r3AnnualCap', 'budget']);

export type Kind =
  | { kind: 'money' }
  | { kind: 'date' }
  | { kind: 'integer'; min?: number; max?: number }
  | { kind: 'boolean' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'text'; long: boolean; pattern?: string }
  | { kind: 'lines' }
  | { kind: 'list'; item: Schema }
  | { kind: 'object'; schema: Schema }
  | { kind: 'variants'; discriminator: string; variants: Array<{ value: string; schema: Schema }> }
  | { kind: 'json' };

function isDateName(name: string): boolean {
  return /On$/.test(name) || name === 'date';
}

/** How a field is entered, from its schema and its name. */
export function kindOf(name: string, s: Schema): Kind {
  if (MONEY_FIELDS.has(name)) return { kind: 'money' };
  const alts = s.oneOf ?? s.anyOf;
  if (alts && alts.length > 0) {
    const objects = alts.filter((a) => a.type === 'object' && a.properties);
    if (objects.length === alts.length) {
      const disc = Object.keys(objects[0]!.properties!).find((k) => objects.every((o) => o.properties?.[k]?.enum?.length === 1));
      if (disc) return { kind: 'variants', discriminator: disc, variants: objects.map((o) => ({ value: String(o.properties![disc]!.enum![0]), schema: o })) };
    }
    const nonNull = alts.filter((a) => a.type !== 'null');
    if (nonNull.length === 1) return kindOf(name, nonNull[0]!);
    if (nonNull.every((a) => a.type === 'integer' || a.type === 'string')) return nonNull.some((a) => a.type === 'integer') ? { kind: 'integer' } : { kind: 'text', long: false };
    return { kind: 'json' };
  }
  if (s.enum) return { kind: 'enum', values: s.enum.map(String) };
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'boolean') return { kind: 'boolean' };
  if (type === 'integer' || type === 'number') return { kind: 'integer', ...(s.minimum !== undefined ? { min: s.minimum } : {}), ...(s.maximum !== undefined ? { max: s.maximum } : {}) };
  if (type === 'array') {
    const item = s.items ?? {};
    if (item.type === 'string' && !item.enum) return { kind: 'lines' };
    return { kind: 'list', item };
  }
  if (type === 'object') return s.properties ? { kind: 'object', schema: s } : { kind: 'json' };
  if (type === 'string') {
    if (isDateName(name) || s.format === 'date') return { kind: 'date' };
    return { kind: 'text', long: (s.maxLength ?? 0) > 200, ...(s.pattern ? { pattern: s.pattern } : {}) };
  }
  return { kind: 'json' };
}

export class BodyError extends Error {
  constructor(
    readonly path: Array<string | number>,
    message: string,
  ) {
    super(message);
  }
}

/** Form values → the request body the schema describes (money to fen, lines to arrays, blanks left out). */
export function toBody(schema: Schema, values: Record<string, unknown>, path: Array<string | number> = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(schema.properties ?? {})) {
    const v = convert(name, s, values?.[name], [...path, name]);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function blank(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.trim() === '') || (Array.isArray(v) && v.length === 0);
}

function convert(name: string, s: Schema, v: unknown, path: Array<string | number>): unknown {
  const k = kindOf(name, s);
  switch (k.kind) {
    case 'money': {
      if (blank(v)) return undefined;
      const fen = parseYuan(String(v));
      if (fen === undefined) throw new BodyError(path, 'yuan');
      return fenForApi(fen);
    }
    case 'integer':
      return blank(v) ? undefined : Number(v);
    case 'boolean':
      return v === undefined || v === null ? undefined : v === true || v === 'true';
    case 'lines':
      if (blank(v)) return undefined;
      return String(v)
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter(Boolean);
    case 'list':
      if (!Array.isArray(v) || v.length === 0) return undefined;
      return v.map((item, i) => (k.item.type === 'object' ? toBody(k.item, (item ?? {}) as Record<string, unknown>, [...path, i]) : convert(name, k.item, item, [...path, i])));
    case 'object': {
      if (blank(v)) return undefined;
      const o = toBody(k.schema, v as Record<string, unknown>, path);
      return Object.keys(o).length === 0 ? undefined : o;
    }
    case 'variants': {
      const o = (v ?? {}) as Record<string, unknown>;
      const chosen = k.variants.find((x) => x.value === o[k.discriminator]);
      if (!chosen) return undefined;
      return { ...toBody(chosen.schema, o, path), [k.discriminator]: chosen.value };
    }
    case 'json':
      if (blank(v)) return undefined;
      try {
        return JSON.parse(String(v));
      } catch {
        throw new BodyError(path, 'json');
      }
    default:
      return blank(v) ? undefined : typeof v === 'string' ? v.trim() : v;
  }
}
