import { fileURLToPath } from 'node:url';
import { loadMigrations, migrate, type Sql } from '@gongguan/platform/db';
import type { StoreLogger } from '../logger.js';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** Creates or upgrades the event-store tables (`event_store` schema); safe to run concurrently. */
export async function migrateEventStore(sql: Sql, logger?: StoreLogger): Promise<{ applied: number[] }> {
  const result = await migrate(sql, 'event-store', loadMigrations(MIGRATIONS_DIR));
  if (result.applied.length > 0) logger?.info({ applied: result.applied }, 'event-store migrations applied');
  return result;
}
