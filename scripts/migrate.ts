/**
 * Applies every component's SQL migrations to DATABASE_URL, then the grants that follow them:
 * the one-shot job a least-privilege deployment runs as the schema owner (`gongguan_owner`, see
 * infra/postgres/roles.sql) before the services start as roles that may not create tables.
 *
 *   DATABASE_URL=postgres://gongguan_owner:…@host:5432/gongguan pnpm migrate
 *
 * Safe to run again and concurrently (each component migrates under an advisory lock). Exits 78
 * without DATABASE_URL.
 */
import { fileURLToPath } from 'node:url';
import { migrateEventStore } from '@gongguan/event-store';
import { createLogger } from '@gongguan/platform';
import { loadMigrations, migrate, openPostgres } from '@gongguan/platform/db';

const dir = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

/** The services' own migrations, under the component names their services record them with. */
const components = [
  { name: 'lifecycle-api', dir: dir('../services/lifecycle-api/migrations') },
  { name: 'audit-api', dir: dir('../services/audit-api/migrations') },
  { name: 'projections', dir: dir('../packages/projections/migrations') },
];

/**
 * What the default privileges of roles.sql cannot express: the projector installs the reporting
 * views into a schema the owner created, and only the owner writes migration records. Skipped
 * where the roles do not exist (a database used without them).
 */
const grants = `do $$
begin
  if exists (select 1 from pg_roles where rolname = 'gongguan_projector') then
    grant create on schema reporting to gongguan_projector;
  end if;
  if exists (select 1 from pg_roles where rolname = 'gongguan_app') then
    revoke insert, update, delete, truncate on gongguan_migrations from gongguan_app;
  end if;
end;
$$`;

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('DATABASE_URL: expected the postgres:// connection string of the schema owner\n');
  process.exit(78);
}
const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'migrate' });
const sql = openPostgres({ url, poolSize: 1, logger, applicationName: 'gongguan-migrate' });
try {
  await migrateEventStore(sql, logger);
  for (const component of components) await migrate(sql, component.name, loadMigrations(component.dir), logger);
  await sql.exec(grants);
  logger.info('migrations and grants applied');
} finally {
  await sql.close();
}
