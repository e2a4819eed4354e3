import type { SqlExecutor } from '@gongguan/platform/db';
import type { ReportingContext } from './context.js';

/** The bureau whose subtree a request reads: the caller's token's (`Principal.bureau`). */
export function callerBureau(request: { principal?: { bureau: string } | undefined }): string {
  const bureau = request.principal?.bureau;
  // Every reporting route requires a token; a request without a principal never gets here.
  if (bureau === undefined) throw new Error('a reporting read without a caller');
  return bureau;
}

/**
 * Runs a read scoped by the database to `bureau`'s subtree: in one transaction, as the service
 * role `gongguan_scoped` with `gongguan.bureau_path` set to the bureau's path (both local to the
 * transaction), so row-level security on the read-model tables decides what each `reporting.*`
 * view and function returns — not only the query's own conditions. A row outside the subtree is
 * simply not there: one resource read of it answers 404, as for an id that does not exist.
 */
export async function scopedRead<T>(ctx: ReportingContext, bureau: string, read: (db: SqlExecutor) => Promise<T>): Promise<T> {
  return ctx.sql.transaction(async (tx) => {
    await tx.query(
      `select set_config('gongguan.bureau_path', coalesce(reporting.bureau_path_of($1), ''), true), set_config('role', 'gongguan_scoped', true)`,
      [bureau],
    );
    return read(tx);
  });
}
