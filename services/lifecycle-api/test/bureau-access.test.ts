import t from 'tap';
import { bureauRegistry, isDomainError } from '@gongguan/domain';
import { createSqlEventStore, type EventStore } from '@gongguan/event-store';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { BureauAccess } from '../src/bureaus/access.js';
import { AggregateCache } from '../src/commands/aggregate-cache.js';
import { execute, type CommandContext } from '../src/commands/execute.js';

/**
 * The bureau registry as commands see it: every command asks whether its bureau may act, and the
 * registry changes a few times a year, so the check reads it at most once per `maxAgeMs` (shared
 * by the requests meanwhile). What must hold: this process's own registrations and mergers count
 * at once; a refusal is always decided on the registry as it stands (another process's new bureau
 * is never refused); another process's merger counts within `maxAgeMs`.
 */
const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const admin = { id: 'admin-xu', role: 'admin' as const };
let ids = 0;
const context = (store: EventStore, cache: AggregateCache): CommandContext => ({
  store,
  env: { now: () => new Date('2024-03-01T02:00:00Z'), newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}` },
  actor: admin,
  correlationId: 'req-1',
  bureau: '330000',
  cache,
});

/** A process: its own aggregate cache and bureau access (with a clock the test moves), over a shared store that counts reads of the registry. */
function processOn(store: EventStore) {
  let reads = 0;
  const counting: EventStore = Object.create(store, {
    readStream: {
      value: (stream: string, options?: Parameters<EventStore['readStream']>[1]) => {
        if (stream === bureauRegistry.streamName()) reads++;
        return store.readStream(stream, options);
      },
    },
  });
  const cache = new AggregateCache(100);
  let now = 0;
  const access = new BureauAccess(counting, cache, { maxAgeMs: 250, now: () => now });
  const registry = (type: 'RegisterBureau' | 'MergeBureau', data: Record<string, unknown>) =>
    execute(context(counting, cache), { aggregate: bureauRegistry, stream: bureauRegistry.streamName(), type, data, step: type });
  return {
    access,
    registry,
    reads: () => reads,
    advance: (ms: number) => void (now += ms),
  };
}

const codeOf = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => 'ok',
    (err: unknown) => (isDomainError(err) ? err.code : String(err)),
  );

for (const target of targets) {
  t.test('bureau access over a shared store', async (t) => {
    const db = await target();
    const store = await createSqlEventStore({ sql: await db.open() });
    t.teardown(async () => {
      await store.close();
      await db.drop();
    });

    t.test(`${db.name}: checks share one read of the registry per maxAgeMs, with or without a registry`, async (t) => {
      const a = processOn(store);
      await Promise.all(Array.from({ length: 50 }, () => a.access.authorizeCommand('331000', 'SubmitProject', [])));
      t.equal(a.reads(), 1, '50 checks at once, no registry stored: one read');
      for (let i = 0; i < 20; i++) {
        a.advance(10);
        await a.access.authorizeCommand('331000', 'SubmitProject', []);
      }
      t.equal(a.reads(), 1, '20 checks over 200 ms: no read');
      a.advance(60);
      await a.access.authorizeCommand('331000', 'SubmitProject', []);
      t.equal(a.reads(), 2, 'past maxAgeMs: read again');
    });

    t.test(`${db.name}: this process's registrations and mergers count at once, another's registration is never refused, its merger counts within maxAgeMs`, async (t) => {
      const a = processOn(store);
      const b = processOn(store);
      await a.registry('RegisterBureau', { code: '330000', name: '浙江省科学技术厅' });
      await a.registry('RegisterBureau', { code: '331000', name: '台州市科学技术局' });
      t.equal(await codeOf(b.access.authorizeCommand('331000', 'LaunchProgramme', [])), 'ok', 'b reads the registry a wrote');

      await a.registry('RegisterBureau', { code: '331100', name: '丽水市科学技术局' });
      t.equal(await codeOf(a.access.authorizeCommand('331100', 'LaunchProgramme', [])), 'ok', 'a sees its own registration at once');
      const readsBefore = b.reads();
      t.equal(await codeOf(b.access.authorizeCommand('331100', 'LaunchProgramme', [])), 'ok', "b's copy lacks 331100, so its refusal is checked again on the registry as it stands");
      t.equal(b.reads(), readsBefore + 1, 'that took one read');

      await a.registry('RegisterBureau', { code: '331102', name: '莲都区科学技术局' });
      await a.access.authorizeCommand('331102', 'SubmitProject', []);
      await b.access.authorizeCommand('331102', 'SubmitProject', []);
      await a.registry('MergeBureau', { code: '331102', into: '331100' });
      t.equal(await codeOf(a.access.authorizeCommand('331102', 'SubmitProject', [])), 'BUREAU_MERGED', 'a: its own merger at once');
      t.equal(await codeOf(b.access.authorizeCommand('331102', 'SubmitProject', [])), 'ok', 'b: within maxAgeMs of its last read, the merger is not seen yet');
      b.advance(250);
      t.equal(await codeOf(b.access.authorizeCommand('331102', 'SubmitProject', [])), 'BUREAU_MERGED', 'b: after maxAgeMs');
      t.equal(await codeOf(b.access.authorizeCommand('331102', 'LaunchProgramme', [])), 'BUREAU_MERGED');
    });

    t.test(`${db.name}: maxAgeMs 0 reads the registry for every check`, async (t) => {
      const a = processOn(store);
      const fresh = new BureauAccess(Object.create(store) as EventStore, new AggregateCache(10), { maxAgeMs: 0 });
      await a.registry('RegisterBureau', { code: '331002', name: '椒江区科学技术局', parentCode: '331000' });
      t.equal(await codeOf(fresh.authorizeCommand('331002', 'LaunchProgramme', [])), 'ok');
      await a.registry('MergeBureau', { code: '331002', into: '331000' });
      t.equal(await codeOf(fresh.authorizeCommand('331002', 'LaunchProgramme', [])), 'BUREAU_MERGED', 'no copy kept');
    });
  });
}
