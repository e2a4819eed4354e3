/**
 * The append's array parameters (ids, types, data, metadata, hash parts) as PostgreSQL array
 * literals, written with one `JSON.stringify` per column instead of `pg`'s element-by-element
 * escaping (two regular-expression replaces and a concatenation per element), which allocated
 * about 12 KB per command in `pnpm bench:alloc`: most of an event's text, several times over.
 *
 * Inside a double-quoted element of an array literal, a backslash takes the next character
 * literally, so `"` and `\` must be escaped and nothing else needs to be. `JSON.stringify` of a
 * string escapes exactly those two, plus control characters and lone surrogates, which it writes
 * as `\n` or `\uXXXX`, sequences an array literal would read differently. A column holding any
 * control character or any surrogate (rare: the texts are JSON, ids and names) is left to `pg`.
 */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const NOT_PLAIN = /[\u0000-\u001f\ud800-\udfff]/;

/** `{"a","b\"c"}` for ['a', 'b"c']; the values themselves when this encoding would not be exact. */
export function textArray(values: readonly string[]): string | readonly string[] {
  for (const value of values) if (NOT_PLAIN.test(value)) return values;
  const json = JSON.stringify(values);
  return `{${json.slice(1, -1)}}`;
}

/** Each column of strings as a literal (see `textArray`); other columns as they are. */
export function encodeColumns(columns: readonly (readonly unknown[])[]): unknown[] {
  return columns.map((column) => (column.every((v) => typeof v === 'string') ? textArray(column as readonly string[]) : column));
}
