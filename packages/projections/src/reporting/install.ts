import type { SqlExecutor } from '@gongguan/platform/db';
import { reportingSql } from './views-sql.js';

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
}
