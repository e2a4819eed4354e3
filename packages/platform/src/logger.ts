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

export function createLogger(options: { level?: string; name?: string; destination?: pino.DestinationStream } = {}): Logger {
  const opts: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactPaths, censor: '[redacted]' },
    // A failed statement's values are personal data (names, phone numbers, amounts): never logged.
    serializers: { err: serializeError },
    base: { service: options.name ?? 'gongguan' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(opts, options.destination) : pino(opts);
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
