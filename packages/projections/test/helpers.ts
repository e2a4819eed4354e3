import { createLogger, type Logger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets, type TestDatabase } from '@gongguan/platform/testing';
import { createSqlEventStore, type EventStore } from '@gongguan/event-store';
import { allProjections, ensureReadModels, REGISTRY_STREAM, startProjector, type Projection, type ProjectorOptions, type RunningProjector } from '../src/index.js';

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

let registryEvents = 0;
/**
 * Appends bureau registry events (stream `bureaus`) raw, with the contract's fields: a fixture
 * for the read models until the domain writes them itself.
 */
export async function appendRegistry(store: EventStore, events: ReadonlyArray<{ type: 'BureauRegistered' | 'BureauRenamed' | 'BureauMerged'; data: Record<string, unknown> }>): Promise<void> {
  const by = { id: 'admin-1', role: 'admin' };
  await store.append(
    REGISTRY_STREAM,
    events.map((e) => ({
      id: `b0000000-0000-4000-8000-${String(++registryEvents).padStart(12, '0')}`,
      type: e.type,
      schemaVersion: 1,
      data: { by, at: '2024-01-02T01:00:00.000Z', ...e.data },
      metadata: { actorId: 'admin-1', actorRole: 'admin', correlationId: `registry-${registryEvents}` },
    })),
    { expectedRevision: 'any' },
  );
}

/** Registers a province, two cities and a county the usual way (the legacy bureau 331000 among them). */
export const registerProvince = (store: EventStore) =>
  appendRegistry(store, [
    { type: 'BureauRegistered', data: { code: '330000', name: '浙江省科学技术厅', level: 'province', parentCode: null, path: '330000', registeredOn: '2024-01-02' } },
    { type: 'BureauRegistered', data: { code: '331000', name: '台州市科学技术局', level: 'city', parentCode: '330000', path: '330000.331000', registeredOn: '2024-01-02' } },
    { type: 'BureauRegistered', data: { code: '330100', name: '杭州市科学技术局', level: 'city', parentCode: '330000', path: '330000.330100', registeredOn: '2024-01-02' } },
    { type: 'BureauRegistered', data: { code: '331002', name: '椒江区科学技术局', level: 'county', parentCode: '331000', path: '330000.331000.331002', registeredOn: '2024-01-02' } },
  ]);

/** Merges Taizhou (331000, every legacy row) into Hangzhou: its rows and its county's move under 330100. */
export const mergeTaizhouIntoHangzhou = (store: EventStore) =>
  appendRegistry(store, [
    { type: 'BureauRenamed', data: { code: '330100', name: '杭州市科技局', previousName: '杭州市科学技术局', renamedOn: '2024-06-01' } },
    { type: 'BureauMerged', data: { code: '331000', into: '330100', path: '330000.330100.331000', mergedOn: '2024-06-01' } },
  ]);

/** Every bureau-scoped table of every projection, in the live generations: rows whose path is not the one expected. */
export async function rowsOffPath(sql: Sql, path: string): Promise<Array<{ table: string; n: number }>> {
  const out: Array<{ table: string; n: number }> = [];
  const { rows: live } = await sql.query<{ name: string; generation: number }>('select name, generation from projector.projections');
  for (const projection of allProjections) {
    const generation = live.find((r) => r.name === projection.name)?.generation;
    for (const def of projection.tables) {
      if (def.scope !== 'bureau_path' || generation === undefined) continue;
      // The registry's own events belong to the bureaus they name.
      const registry = def.name === 'activity' ? ` and stream not like '${REGISTRY_STREAM.split('-')[0]}%'` : '';
      const n = await count(sql, `proj_${projection.name}_g${generation}.${def.name}`, `bureau_path is distinct from $1${registry}`, [path]);
      if (n > 0) out.push({ table: `${projection.name}.${def.name}`, n });
    }
  }
  return out;
}
