import { pino, stdSerializers, type Logger, type LoggerOptions } from 'pino';
import { redactDatabaseError } from './db/redact-error.js';

/**
 * Paths never written to logs: credentials, and the personal data a project carries (the
 * principal investigator's contact details, bank account numbers).
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.token',
  '*.accessToken',
  '*.password',
  '*.secret',
  '*.privateKey',
  '*.d',
  '*.phone',
  '*.email',
  '*.idNumber',
  '*.bankAccount',
  'config.DATABASE_URL',
];

const CENSOR = '[redacted]';

/**
 * `redactPaths` compiled once: `*.x` (a member `x` of any value logged) and `a.b.c` or
 * `a["b-c"].d` (a member under one key). Only these two forms are used.
 */
interface RedactPlan {
  /** Members censored in any top-level value. */
  anywhere: ReadonlySet<string>;
  /** Per top-level key, the member paths under it. */
  under: ReadonlyMap<string, ReadonlyArray<readonly string[]>>;
}

function pathParts(path: string): string[] {
  const parts: string[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[\s*(?:"([^"]*)"|'([^']*)')\s*\]/g)) parts.push(match[1] ?? match[2] ?? match[3] ?? '');
  if (parts.length < 2) throw new Error(`redact path ${path} names no member`);
  return parts;
}

function planOf(paths: readonly string[]): RedactPlan {
  const anywhere = new Set<string>();
  const under = new Map<string, string[][]>();
  for (const path of paths) {
    const [first, ...rest] = pathParts(path);
    if (first === '*') {
      if (rest.length !== 1) throw new Error(`redact path ${path}: a wildcard takes one member`);
      anywhere.add(rest[0]!);
    } else {
      under.set(first!, [...(under.get(first!) ?? []), rest]);
    }
  }
  return { anywhere, under };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** `value` with `path` censored (copies on the way down; the caller's object is never changed), or `value` itself. */
function censorPath(value: Record<string, unknown>, path: readonly string[], at = 0): Record<string, unknown> {
  const key = path[at]!;
  if (!Object.hasOwn(value, key)) return value;
  if (at === path.length - 1) return { ...value, [key]: CENSOR };
  const inner = value[key];
  if (!isObject(inner)) return value;
  const censored = censorPath(inner, path, at + 1);
  return censored === inner ? value : { ...value, [key]: censored };
}

/** One top-level value of a line, censored by the plan (the same object when nothing is). */
function redactValue(plan: RedactPlan, key: string, value: Record<string, unknown>): Record<string, unknown> {
  let out = value;
  for (const member of plan.anywhere) {
    if (Object.hasOwn(out, member)) out = { ...out, [member]: CENSOR };
  }
  for (const path of plan.under.get(key) ?? []) out = censorPath(out, path);
  return out;
}

/**
 * Censors a line's object (or a child logger's bindings) by `redactPaths`, copying what it
 * changes. Does what pino's `redact` option does for these paths; pino's implementation
 * (@pinojs/redact) parses every path again for every value of every line, 21 KB allocated and
 * about 4 % of the server's CPU per command at the default level (scripts/bench/NOTES.md).
 * `test/logger-redact.test.ts` checks both agree on random lines.
 */
export function redactLogObject(obj: Record<string, unknown>, plan: RedactPlan = defaultPlan): Record<string, unknown> {
  let out = obj;
  for (const key in obj) {
    if (!Object.hasOwn(obj, key)) continue;
    const value = obj[key];
    // An error is redacted after its serializer made it plain (below).
    if (!isObject(value) || value instanceof Error) continue;
    const redacted = redactValue(plan, key, value);
    if (redacted !== value) {
      if (out === obj) out = { ...obj };
      out[key] = redacted;
    }
  }
  return out;
}

const defaultPlan = planOf(redactPaths);

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    // A failed statement's values are personal data (names, phone numbers, amounts): never logged.
    serializers: { err: (err: unknown) => redactSerialized('err', serializeError(err)) },
    base: { service: options.name ?? 'gongguan' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => redactLogObject(bindings),
      log: (obj) => redactLogObject(obj),
    },
  };
  const logger = options.destination ? pino(opts, options.destination) : pino(opts);
  // pino formats a child's bindings without `formatters.bindings`: they are censored here, for
  // every child of every child (they inherit this method).
  const child = logger.child;
  logger.child = function redactingChild(this: Logger, bindings, childOptions) {
    return child.call(this, redactLogObject(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

function redactSerialized(key: string, value: unknown): unknown {
  return isObject(value) ? redactValue(defaultPlan, key, value) : value;
}

function serializeError(err: unknown): unknown {
  const serialised: unknown = stdSerializers.err(err as Error);
  if (typeof serialised !== 'object' || serialised === null) return serialised;
  return redactDatabaseError(err, serialised as Record<string, unknown>);
}

/** Removes the password from a connection string before it is logged or printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[unparseable url]';
  }
}

export type { Logger };
