import { createLogger, type Logger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets, type TestDatabase } from '@gongguan/platform/testing';
import { createSqlEventStore, type EventStore } from '@gongguan/event-store';
import { onBureauRegistry, registerBureaus, seededRandom, World } from '../src/generate/load.js';
import { bureauRegistry } from '@gongguan/domain';
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

/** Appends what a world decided, stream by stream (each stream's appends in order). */
export async function appendWorld(store: EventStore, world: World): Promise<void> {
  for (const a of world.flush()) await store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
}

/** One registry per store: its commands decided by the domain's registry decider, as `POST /v1/bureaus` does. */
const registries = new WeakMap<EventStore, World>();
function registryOf(store: EventStore): World {
  let world = registries.get(store);
  if (world === undefined) registries.set(store, (world = new World(seededRandom(18))));
  return world;
}

/** Registers a province, two cities and a county the usual way (the legacy bureau 331000 among them). */
export async function registerProvince(store: EventStore): Promise<void> {
  const world = registryOf(store);
  registerBureaus(world, [
    { code: '330000', name: '浙江省科学技术厅' },
    { code: '331000', name: '台州市科学技术局' },
    { code: '330100', name: '杭州市科学技术局' },
    { code: '331002', name: '椒江区科学技术局' },
  ]);
  await appendWorld(store, world);
}

/**
 * Merges Taizhou (331000, every legacy row) into Hangzhou: the domain merges no bureau that has
 * bureaus under it, so its county Jiaojiang (331002) is merged into Hangzhou first; every row of
 * both moves under 330100.
 */
export async function mergeTaizhouIntoHangzhou(store: EventStore): Promise<void> {
  const world = registryOf(store);
  const admin = { id: 'admin-1', role: 'admin' as const };
  onBureauRegistry(world, 'registry', 'RenameBureau', { code: '330100', name: '杭州市科技局', renamedOn: '2024-06-01' }, admin, '2024-06-01');
  onBureauRegistry(world, 'registry', 'MergeBureau', { code: '331002', into: '330100', mergedOn: '2024-06-01' }, admin, '2024-06-01');
  onBureauRegistry(world, 'registry', 'MergeBureau', { code: '331000', into: '330100', mergedOn: '2024-06-01' }, admin, '2024-06-01');
  await appendWorld(store, world);
}

/** Every bureau-scoped table of every projection, in the live generations: rows whose path is not the one expected. */
export async function rowsOffPath(sql: Sql, path: string): Promise<Array<{ table: string; n: number }>> {
  const out: Array<{ table: string; n: number }> = [];
  const { rows: live } = await sql.query<{ name: string; generation: number }>('select name, generation from projector.projections');
  for (const projection of allProjections) {
    const generation = live.find((r) => r.name === projection.name)?.generation;
    for (const def of projection.tables) {
      if (def.scope !== 'bureau_path' || generation === undefined) continue;
      // The registry's own events belong to the bureaus they name.
      const registry = def.name === 'activity' ? ` and stream <> '${bureauRegistry.streamName()}'` : '';
      const n = await count(sql, `proj_${projection.name}_g${generation}.${def.name}`, `bureau_path is distinct from $1${registry}`, [path]);
      if (n > 0) out.push({ table: `${projection.name}.${def.name}`, n });
    }
  }
  return out;
}
