/** Socket errors of a database connection that is gone or refused. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether `err` says the database is unreachable (down, restarting, crashed mid-query) rather
 * than that the statement was wrong: socket errors, a connection ended under the client, and the
 * SQLSTATEs of class 08 (connection exception) and 57P01–57P03 (shut down by an administrator,
 * after a crash, or still starting up). Such a request may succeed when retried.
 */
export function isStorageUnreachable(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (SOCKET_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03')) return true;
  return typeof message === 'string' && /^Connection terminated( unexpectedly)?$|^Client has encountered a connection error and is not queryable$|^timeout exceeded when trying to connect$/.test(message);
}
