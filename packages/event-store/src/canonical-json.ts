/**
 * RFC 8785 JSON Canonicalization Scheme (JCS), the bytes every event hash is taken over.
 *
 * Only I-JSON values are accepted (RFC 7493, which RFC 8785 requires): plain objects, arrays,
 * strings of well-formed Unicode, finite numbers, booleans and null. Anything JSON.stringify would
 * silently coerce (NaN, Infinity, bigint, Date, Map, class instances, lone surrogates) is refused,
 * because a hash over a coerced value could not be recomputed from what is stored. Object members
 * whose value is `undefined` are left out, exactly as JSON.stringify leaves them out, so the value
 * read back from storage canonicalises to the same bytes.
 */

/** A JSON value as it is stored and read back. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

const MAX_DEPTH = 256;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why a value has no canonical form; `path` points at the offending member (`$.a[2].b`). */
export class CanonicalJsonError extends Error {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'CanonicalJsonError';
    this.path = path;
  }
}

/** The RFC 8785 canonical form of `value`; throws CanonicalJsonError for anything not I-JSON. */
export function canonicalize(value: unknown): string {
  return serialize(value, '$', 0);
}

function serialize(value: unknown, path: string, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      // ECMAScript Number::toString is exactly the RFC 8785 number form (-0 becomes 0).
      if (!Number.isFinite(value)) throw new CanonicalJsonError(path, `${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'string':
      return serializeString(value, path);
    case 'object':
      if (depth >= MAX_DEPTH) throw new CanonicalJsonError(path, `nested deeper than ${MAX_DEPTH} levels`);
      if (Array.isArray(value)) return serializeArray(value, path, depth);
      return serializeObject(value, path, depth);
    default:
      throw new CanonicalJsonError(path, `a ${typeof value} is not a JSON value`);
  }
}

function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE.test(value)) throw new CanonicalJsonError(path, 'string contains a lone surrogate');
  // ECMAScript JSON.stringify escapes exactly what RFC 8785 section 3.2.2.2 asks for.
  return JSON.stringify(value);
}

function serializeArray(value: readonly unknown[], path: string, depth: number): string {
  let out = '[';
  for (let i = 0; i < value.length; i++) {
    if (i > 0) out += ',';
    const item: unknown = value[i];
    if (item === undefined) throw new CanonicalJsonError(`${path}[${i}]`, 'undefined is not a JSON value');
    out += serialize(item, `${path}[${i}]`, depth + 1);
  }
  return out + ']';
}

function serializeObject(value: object, path: string, depth: number): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError(path, 'only plain objects are JSON objects');
  }
  const record = value as Record<string, unknown>;
  // Array.prototype.sort without a comparator compares UTF-16 code units, as RFC 8785 3.2.3 requires.
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out += ',';
    first = false;
    out += serializeString(key, path) + ':' + serialize(member, `${path}.${key}`, depth + 1);
  }
  return out + '}';
}

/** True for a non-null, non-array object: the shape event data must have. */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
