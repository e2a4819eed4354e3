import { fileURLToPath } from 'node:url';
import type { Sql, SqlExecutor } from '@gongguan/platform/db';
import { loadMigrations, migrate } from '@gongguan/platform/db';
import { START_POSITION } from '@gongguan/event-store';
import type { Projection } from '../projection.js';
import { installReportingViews, reportingViewsCurrent } from '../reporting/install.js';
import { READER_ROLE, tableDdl } from '../table.js';

const migrations = loadMigrations(fileURLToPath(new URL('../../migrations', import.meta.url)));

/** The state of one projection as the catalogue holds it. */
export interface ProjectionRow {
  name: string;
  generation: number;
  version: number;
  position: string;
  status: 'live' | 'failed' | 'outdated';
  error: Record<string, unknown> | null;
  events_applied: number;
}

export const schemaName = (name: string, generation: number): string => `proj_${name}_g${generation}`;

/** Serialises catalogue changes (first set-up, swaps) across processes. */
export async function lockCatalogue(tx: SqlExecutor): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('gongguan_projections'))`);
}

/** Creates a generation's schema and tables (inside the caller's transaction). */
export async function createGeneration(tx: SqlExecutor, projection: Projection, generation: number, withIndexes = true): Promise<string> {
  const schema = schemaName(projection.name, generation);
  await tx.exec(`drop schema if exists ${schema} cascade; create schema ${schema}; grant usage on schema ${schema} to ${READER_ROLE};`);
  for (const def of projection.tables) await tx.exec(tableDdl(schema, def, withIndexes));
  return schema;
}

export async function readCatalogue(sql: SqlExecutor, names?: readonly string[]): Promise<ProjectionRow[]> {
  const { rows } = await sql.query<ProjectionRow>(
    `select name, generation, version, position, status, error, events_applied::float8 as events_applied
       from projector.projections ${names ? 'where name = any($1::text[])' : ''} order by name`,
    names ? [names] : [],
  );
  return rows;
}

/**
 * Makes the read models usable: applies the projector's migrations, creates generation 1 of every
 * projection that has none (empty, to be filled by the projector from the first event), marks
 * projections whose code version changed as `outdated` (the projector rebuilds them), and installs
 * the `reporting.*` views when they are missing or were defined differently (an upgrade). Idempotent; safe when several processes start at once.
 */
export async function ensureReadModels(sql: Sql, projections: readonly Projection[]): Promise<void> {
  await migrate(sql, 'projections', migrations);
  await sql.transaction(async (tx) => {
    await lockCatalogue(tx);
    const existing = new Map((await readCatalogue(tx)).map((row) => [row.name, row]));
    let changed = false;
    let outdated = false;
    for (const projection of projections) {
      const row = existing.get(projection.name);
      if (row === undefined) {
        const schema = await createGeneration(tx, projection, 1);
        await tx.query(
          `insert into projector.generations (name, generation, version, schema_name, state, position, finished_at)
           values ($1, 1, $2, $3, 'live', $4, now())`,
          [projection.name, projection.version, schema, START_POSITION],
        );
        await tx.query(`insert into projector.projections (name, generation, version, position, status) values ($1, 1, $2, $3, 'live')`, [
          projection.name,
          projection.version,
          START_POSITION,
        ]);
        changed = true;
      } else if (row.version !== projection.version) {
        outdated = true;
        if (row.status !== 'outdated') await tx.query(`update projector.projections set status = 'outdated', updated_at = now() where name = $1`, [projection.name]);
      }
    }
    // Views of an earlier release (or none) are installed anew over the current generations — but
    // not over a generation an earlier release built, whose tables may lack what the views read:
    // the rebuild that replaces it installs them when it swaps (until then the old views stay).
    if (!outdated && (changed || !(await reportingViewsCurrent(tx)))) await installReportingViews(tx);
  });
}
