import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Sql } from './types.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_-]+)\.sql$/;

/** Reads `NNN_name.sql` files from a folder, in version order. */
export function loadMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .map((file) => ({ file, match: FILE_PATTERN.exec(file) }))
    .filter((f): f is { file: string; match: RegExpExecArray } => f.match !== null)
    .map(({ file, match }) => ({
      version: Number(match[1]),
      name: match[2] ?? file,
      sql: readFileSync(join(dir, file), 'utf8'),
    }))
    .sort((a, b) => a.version - b.version);
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/**
 * Applies each migration of `component` once, in order, recording it in `gongguan_migrations`.
 * Everything happens in one transaction behind an advisory lock, so two processes starting at the
 * same moment apply each file exactly once: the second waits, then finds nothing left to do.
 * A recorded migration whose file has since changed stops start-up: history is not rewritten.
 */
export async function migrate(
  sql: Sql,
  component: string,
  migrations: readonly Migration[],
  logger?: Logger,
): Promise<{ applied: number[] }> {
  return sql.transaction(async (tx) => {
    await tx.query(`select pg_advisory_xact_lock(hashtext('gongguan_migrations'))`);
    // Created only when missing: a service that logs in without the right to create (its
    // migrations applied by the owner beforehand) reads the records and finds nothing to do.
    const { rows: table } = await tx.query<{ name: string | null }>(`select to_regclass('gongguan_migrations')::text as name`);
    if (!table[0]?.name) await tx.exec(`create table if not exists gongguan_migrations (
      component text not null,
      version integer not null,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now(),
      primary key (component, version)
    )`);
    const { rows } = await tx.query<{ version: number; checksum: string }>(
      'select version, checksum from gongguan_migrations where component = $1',
      [component],
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    const applied: number[] = [];
    for (const m of migrations) {
      const sum = checksum(m.sql);
      const previous = done.get(m.version);
      if (previous !== undefined) {
        if (previous !== sum) {
          throw new Error(`migration ${component}/${m.version}_${m.name} was changed after it was applied`);
        }
        continue;
      }
      await tx.exec(m.sql);
      await tx.query('insert into gongguan_migrations (component, version, name, checksum) values ($1, $2, $3, $4)', [
        component,
        m.version,
        m.name,
        sum,
      ]);
      applied.push(m.version);
      logger?.info({ migrations: component, version: m.version, migration: m.name }, 'migration applied');
    }
    return { applied };
  });
}
