import { createLogger, type Logger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets, type TestDatabase } from '@gongguan/platform/testing';
import { createSqlEventStore, type EventStore } from '@gongguan/event-store';
import { allProjections, ensureReadModels, startProjector, type Projection, type ProjectorOptions, type RunningProjector } from '../src/index.js';

export const silent: Logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

export interface Harness {
  db: TestDatabase;
  sql: Sql;
  store: EventStore;
  close(): Promise<void>;
}

/** Each database a test runs on (PGlite always, PostgreSQL with TEST_DATABASE_URL), with the read models set up. */
export function databases(): { targets: Array<() => Promise<Harness>>; skipped?: string } {
  const { targets, skipped } = testDatabaseTargets();
  return {
    ...(skipped ? { skipped } : {}),
    targets: targets.map((target) => async () => {
      const db = await target();
      const sql = await db.open();
      const store = await createSqlEventStore({ sql });
      await ensureReadModels(sql, allProjections);
      return {
        db,
        sql,
        store,
        async close() {
          await store.close();
          await sql.close();
          await db.drop();
        },
      };
    }),
  };
}

/** Starts a projector and resolves once it has committed up to the store's head. */
export async function projectToHead(
  h: Harness,
  options: Partial<ProjectorOptions> & { projections?: readonly Projection[] } = {},
): Promise<RunningProjector> {
  const projector = startProjector({ sql: h.sql, store: h.store, projections: allProjections, logger: silent, ...options });
  await waitForHead(h, projector);
  return projector;
}

export async function waitForHead(h: Harness, projector: RunningProjector, timeoutMs = 30_000): Promise<void> {
  const head = await h.store.headPosition();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await h.sql.query<{ n: number }>(
      `select count(*)::int as n from projector.projections where status = 'live' and position < $1`,
      [head],
    );
    if ((rows[0]?.n ?? 1) === 0) return;
    if (Date.now() > deadline) throw new Error(`projections did not reach ${head}: ${JSON.stringify((await projector.readiness()))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function count(sql: Sql, from: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from ${from} where ${where}`, params);
  return rows[0]?.n ?? 0;
}
