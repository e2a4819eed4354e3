import { createHash } from 'node:crypto';
import type { SqlExecutor } from '@gongguan/platform/db';
import { reportingSql } from './views-sql.js';

/**
 * Which definition of the views is installed: a hash of their SQL, which `reporting.views_version()`
 * returns (a function the installer owns; it may not own the schema). A start whose code defines
 * them differently installs them again, so a new release's views reach a database whose
 * projections did not change.
 */
export const REPORTING_VIEWS_VERSION = `gongguan reporting views ${createHash('sha256').update(reportingSql).digest('hex').slice(0, 16)}`;

/** Whether the views this code defines are the ones installed. */
export async function reportingViewsCurrent(tx: SqlExecutor): Promise<boolean> {
  const { rows } = await tx.query<{ present: boolean }>(`select to_regprocedure('reporting.views_version()') is not null as present`);
  if (rows[0]?.present !== true) return false;
  const installed = await tx.query<{ v: string }>('select reporting.views_version() as v');
  return installed.rows[0]?.v === REPORTING_VIEWS_VERSION;
}

/**
 * (Re)creates the `reporting.*` views and functions over the generations the catalogue names as
 * current. Runs inside the transaction that changes the catalogue, so readers switch from one
 * generation to the next atomically: they see the old tables until it commits.
 */
export async function installReportingViews(tx: SqlExecutor): Promise<void> {
  const { rows } = await tx.query<{ name: string; generation: number }>('select name, generation from projector.projections');
  const schemas = new Map(rows.map((r) => [r.name, `proj_${r.name}_g${r.generation}`]));
  const text = reportingSql.replace(/\{(projects|money|activity)\}/g, (_, name: string) => {
    const schema = schemas.get(name);
    if (schema === undefined) throw new Error(`the catalogue has no projection ${name}`);
    return schema;
  });
  await tx.exec(text);
  await tx.exec(`create or replace function reporting.views_version() returns text language sql immutable as $$ select '${REPORTING_VIEWS_VERSION}'::text $$`);
}
