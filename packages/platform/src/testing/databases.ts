import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPglite } from '../db/pglite.js';
import { openPostgres } from '../db/postgres.js';
import type { Sql } from '../db/types.js';

export interface TestDatabase {
  name: 'pglite' | 'postgres';
  /** Opens a new connection (pool) to this test's database. */
  open(): Promise<Sql>;
  /** Connection string for PostgreSQL; undefined on PGlite. */
  url: string | undefined;
  /** Drops the database (PostgreSQL). */
  drop(): Promise<void>;
}

/**
 * The databases a SQL test runs against: always an in-memory PGlite, and a fresh PostgreSQL
 * database when `TEST_DATABASE_URL` is set (each call creates its own, so parallel test files
 * never share state). Returns why PostgreSQL was skipped, to be printed by the caller.
 */
export function testDatabaseTargets(): { targets: Array<() => Promise<TestDatabase>>; skipped?: string } {
  const targets: Array<() => Promise<TestDatabase>> = [pgliteTarget];
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { targets, skipped: 'PostgreSQL runs skipped: TEST_DATABASE_URL not set' };
  targets.push(() => createPostgresDatabase(url));
  return { targets };
}

async function pgliteTarget(): Promise<TestDatabase> {
  let shared: Sql | undefined;
  return {
    name: 'pglite',
    url: undefined,
    // PGlite is one connection per instance: every open() shares it, as the all-in-one process does.
    async open() {
      shared ??= await openPglite(undefined);
      const db = shared;
      return { ...db, close: async () => undefined };
    },
    async drop() {
      await shared?.close();
    },
  };
}

/** Creates `gg_test_<random>` next to the database named in `baseUrl`. */
export async function createPostgresDatabase(baseUrl: string): Promise<TestDatabase> {
  const dbName = `gg_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${dbName}`);
  } finally {
    await admin.end();
  }
  const url = new URL(baseUrl);
  url.pathname = `/${dbName}`;
  const opened: Sql[] = [];
  return {
    name: 'postgres',
    url: url.toString(),
    async open() {
      const sql = openPostgres({ url: url.toString(), poolSize: 20 });
      opened.push(sql);
      return sql;
    },
    async drop() {
      for (const sql of opened) await sql.close();
      const c = new pg.Client({ connectionString: baseUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${dbName} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
