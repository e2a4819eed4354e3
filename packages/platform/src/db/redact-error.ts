/** A database error as `pg` and PGlite throw it: a five-character SQLSTATE and the server's fields. */
function isDatabaseError(err: unknown): err is Error & { code: string } {
  if (!(err instanceof Error)) return false;
  const fields = err as unknown as Record<string, unknown>;
  return typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code) && ('severity' in fields || 'routine' in fields);
}

function chainHasDatabaseError(err: unknown, depth = 0): boolean {
  if (depth > 8 || !(err instanceof Error)) return false;
  return isDatabaseError(err) || chainHasDatabaseError(err.cause, depth + 1);
}

const REDACTED = '[redacted]';

/**
 * PostgreSQL ends a message about a bad value with it (`invalid input syntax for type date:
 * "2024-13-01"`) and puts key values in the detail (`Key (email)=(…) already exists.`).
 * Identifiers (`relation "x" does not exist`) are quoted mid-sentence and stay.
 */
function redactMessage(text: string): string {
  return text.replace(/(: )"[^"\n]*"/g, `$1"${REDACTED}"`);
}

function redactDetail(text: string): string {
  return text.replace(/=\(.*\)/g, `=(${REDACTED})`).replace(/"[^"\n]*"/g, `"${REDACTED}"`);
}

/** Fields that carry the values of a failed statement: its parameters and where they went. */
const VALUE_FIELDS = ['params', 'parameters', 'values', 'where', 'queryOptions'] as const;

/**
 * Removes what a failed statement knew about its values from an error already serialised for a
 * log line: PGlite attaches the parameters (`params`), both drivers put values in `message`,
 * `detail` and `where`. The SQL text, SQLSTATE, table, column and constraint stay: they are code,
 * not data, and they are what one needs to find the fault. Other errors pass through unchanged.
 */
export function redactDatabaseError(err: unknown, serialised: Record<string, unknown>): Record<string, unknown> {
  const inner = err instanceof Error ? (err as { errors?: unknown }).errors : undefined;
  const aggregate = serialised.aggregateErrors;
  const withInner =
    Array.isArray(inner) && Array.isArray(aggregate)
      ? { ...serialised, aggregateErrors: aggregate.map((s: Record<string, unknown>, i) => redactDatabaseError(inner[i], s)) }
      : serialised;
  if (!chainHasDatabaseError(err)) return withInner;
  const out: Record<string, unknown> = { ...withInner };
  for (const field of VALUE_FIELDS) delete out[field];
  if (typeof out.message === 'string') out.message = redactMessage(out.message);
  if (typeof out.stack === 'string') out.stack = redactMessage(out.stack);
  if (typeof out.detail === 'string') out.detail = redactDetail(out.detail);
  return out;
}
