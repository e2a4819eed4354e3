import { createLogger, type Logger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets, type TestDatabase } from '@gongguan/platform/testing';
import { createSqlEventStore, type EventStore } from '@gongguan/event-store';
import { onBureauRegistry, registerBureaus, seededRandom, storedRegistry, World } from '../src/generate/load.js';
import { BUREAU_REGISTRY_STREAM, bureauRegistry, type BureauRegistryState } from '@gongguan/domain';
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

/**
 * One registry world per store (its dice give every registry event a fresh id), started each time
 * from the registry as stored — `loadProvince` registers bureaus too — so its commands are decided
 * by the domain's registry decider over what is really there, as `POST /v1/bureaus` does.
 */
const registries = new WeakMap<EventStore, World>();
async function registryOf(store: EventStore): Promise<World> {
  let world = registries.get(store);
  if (world === undefined) registries.set(store, (world = new World(seededRandom(18))));
  const { registry } = await storedRegistry(store);
  if (registry !== undefined) world.preload(BUREAU_REGISTRY_STREAM, registry.state, registry.revision);
  return world;
}

const registeredBureaus = (world: World) => Object.values(world.state<BureauRegistryState>(BUREAU_REGISTRY_STREAM)?.bureaus ?? {});

/** Registers a province, two cities and a county the usual way (the legacy bureau 331000 among them); those already registered stay as they are. */
export async function registerProvince(store: EventStore): Promise<void> {
  const world = await registryOf(store);
  const known = new Set(registeredBureaus(world).map((b) => b.code));
  registerBureaus(
    world,
    [
      { code: '330000', name: '浙江省科学技术厅' },
      { code: '331000', name: '台州市科学技术局' },
      { code: '330100', name: '杭州市科学技术局' },
      { code: '331002', name: '椒江区科学技术局' },
    ].filter((b) => !known.has(b.code)),
  );
  await appendWorld(store, world);
}

/**
 * Merges Taizhou (331000, every legacy row) into Hangzhou: the domain merges no bureau that has
 * bureaus under it, so every county registered under Taizhou (Jiaojiang 331002 among them; the
 * generator registers all nine) is merged into Hangzhou first; every row of them all moves under 330100.
 */
export async function mergeTaizhouIntoHangzhou(store: EventStore): Promise<void> {
  const world = await registryOf(store);
  const admin = { id: 'admin-1', role: 'admin' as const };
  onBureauRegistry(world, 'registry', 'RenameBureau', { code: '330100', name: '杭州市科技局', renamedOn: '2024-06-01' }, admin, '2024-06-01');
  const counties = registeredBureaus(world).filter((b) => b.parentCode === '331000' && b.mergedInto === null).map((b) => b.code).sort();
  for (const code of counties) onBureauRegistry(world, 'registry', 'MergeBureau', { code, into: '330100', mergedOn: '2024-06-01' }, admin, '2024-06-01');
  onBureauRegistry(world, 'registry', 'MergeBureau', { code: '331000', into: '330100', mergedOn: '2024-06-01' }, admin, '2024-06-01');
  await appendWorld(store, world);
}

/** Every bureau-scoped table of every projection, in the live generations: rows whose path is neither `under` nor below it. */
export async function rowsOffPath(sql: Sql, under: string): Promise<Array<{ table: string; n: number }>> {
  const out: Array<{ table: string; n: number }> = [];
  const { rows: live } = await sql.query<{ name: string; generation: number }>('select name, generation from projector.projections');
  for (const projection of allProjections) {
    const generation = live.find((r) => r.name === projection.name)?.generation;
    for (const def of projection.tables) {
      if (def.scope !== 'bureau_path' || generation === undefined) continue;
      // The registry's own events belong to the bureaus they name.
      const registry = def.name === 'activity' ? ` and stream <> '${bureauRegistry.streamName()}'` : '';
      const n = await count(sql, `proj_${projection.name}_g${generation}.${def.name}`, `not (bureau_path is not null and (bureau_path = $1 or starts_with(bureau_path, $1 || '.')))${registry}`, [under]);
      if (n > 0) out.push({ table: `${projection.name}.${def.name}`, n });
    }
  }
  return out;
}
