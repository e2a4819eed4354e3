/**
 * Group commit in the SQL adapter (src/sql/group-commit.ts): concurrent appends share one
 * `event_store.append_batch` call. Every append must be answered as if it had run alone at its
 * place in the order: conflicts, duplicates, retries and races with another store included.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import t, { type Test } from 'tap';
import { createLogger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { createSqlEventStore, GROUP_COMMIT_CHANNEL, serviceEventStore, isConcurrencyError, verifyStreamChain, type EventStore, type GroupCommitMessage } from '../src/index.js';
import { category, events, newEvent } from './contract/helpers.js';
import { countStatements } from './count-statements.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

/** The same Sql, counting the batches sent. */
function counting(sql: Sql): { sql: Sql; batches: () => number } {
  const counted = countStatements(sql, (text) => text.includes('event_store.append_batch'));
  return { sql: counted.sql, batches: counted.count };
}

async function settled<T>(work: Array<Promise<T>>): Promise<{ ok: T[]; failed: unknown[] }> {
  const results = await Promise.allSettled(work);
  return {
    ok: results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    failed: results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : [])),
  };
}

async function chainOk(t: Test, store: EventStore, stream: string, expected: number): Promise<void> {
  const stored = await store.readStream(stream);
  t.equal(stored.length, expected, `${stream} holds ${expected} events`);
  t.same(stored.map((e) => e.revision), Array.from({ length: expected }, (_, i) => i), 'revisions without gaps');
  t.match(verifyStreamChain(stored), { ok: true }, 'the hash chain verifies');
}

for (const target of targets) {
  const db = await target();
  t.teardown(() => db.drop());

  t.test(`${db.name}: group commit`, async (t) => {
    const counted = counting(await db.open());
    const store = await createSqlEventStore({ sql: counted.sql });
    t.teardown(() => store.close());

    t.test('60 appends at once to 20 streams go in batches and all land, in order per stream', async (t) => {
      const cat = category();
      const before = counted.batches();
      const work = Array.from({ length: 60 }, (_, i) => store.append(`${cat}-${i % 20}`, events(1 + (i % 3)), { expectedRevision: 'any' }));
      const { ok, failed } = await settled(work);
      t.equal(failed.length, 0);
      t.equal(ok.length, 60);
      t.ok(counted.batches() > before, `batches were sent (${counted.batches() - before})`);
      for (let s = 0; s < 20; s++) {
        const sizes = [0, 1, 2].map((k) => 1 + ((s + 20 * k) % 3));
        await chainOk(t, store, `${cat}-${s}`, sizes.reduce((a, b) => a + b, 0));
      }
    });

    t.test(`every batch is published on ${GROUP_COMMIT_CHANNEL} while someone listens, and nothing after`, async (t) => {
      const cat = category();
      const seen: GroupCommitMessage[] = [];
      const listen = (message: unknown): void => void seen.push(message as GroupCommitMessage);
      subscribe(GROUP_COMMIT_CHANNEL, listen);
      const from = Date.now();
      const sizes = Array.from({ length: 40 }, (_, i) => 1 + (i % 3));
      await Promise.all(sizes.map((n, i) => store.append(`${cat}-${i % 10}`, events(n), { expectedRevision: 'any' })));
      const to = Date.now();
      unsubscribe(GROUP_COMMIT_CHANNEL, listen);
      t.equal(seen.reduce((sum, m) => sum + m.appends, 0), 40, 'each append is counted in exactly one batch');
      t.equal(seen.reduce((sum, m) => sum + m.events, 0), sizes.reduce((a, b) => a + b, 0), 'and each event');
      t.ok(seen.some((m) => m.appends > 1), `appends sent at once share batches (${seen.length} batches)`);
      t.ok(seen.every((m) => m.startedAt >= from - 1 && m.startedAt + m.ms <= to + 1 && m.ms >= 0), 'start and length fall within the appends');
      const count = seen.length;
      await store.append(`${cat}-after`, events(1), { expectedRevision: 'any' });
      t.equal(seen.length, count, 'nothing is published once the listener is gone');
    });

    t.test('the service store takes maxInFlight and stallMs from the config: batches overlap only when allowed', async (t) => {
      /** Appends sent one per turn of the event loop, so each arrives while earlier batches run; the channel says which overlapped. */
      async function overlaps(config: { EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: number; EVENT_STORE_GROUP_COMMIT_STALL_MS: number }): Promise<{ batches: number; overlapping: number }> {
        const shared = new Map<string, Promise<unknown>>();
        const own = await serviceEventStore(
          { sql: await db.open(), logger: createLogger({ level: 'silent' }), config, shared: <T extends { close(): Promise<void> }>(key: string, create: () => Promise<T>) => (shared.get(key) ?? shared.set(key, create()).get(key)) as Promise<T> },
          {},
        );
        const seen: GroupCommitMessage[] = [];
        const listen = (message: unknown): void => void seen.push(message as GroupCommitMessage);
        subscribe(GROUP_COMMIT_CHANNEL, listen);
        try {
          const cat = category();
          const work: Array<Promise<unknown>> = [];
          for (let i = 0; i < 120; i++) {
            work.push(own.append(`${cat}-${i % 30}`, events(1), { expectedRevision: 'any' }));
            await new Promise((r) => setImmediate(r));
          }
          await Promise.all(work);
        } finally {
          unsubscribe(GROUP_COMMIT_CHANNEL, listen);
          await own.close();
        }
        const sorted = [...seen].sort((a, b) => a.startedAt - b.startedAt);
        let overlapping = 0;
        for (let k = 1; k < sorted.length; k++) if (sorted[k]!.startedAt < sorted[k - 1]!.startedAt + sorted[k - 1]!.ms - 0.01) overlapping++;
        return { batches: seen.length, overlapping };
      }
      const one = await overlaps({ EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: 1, EVENT_STORE_GROUP_COMMIT_STALL_MS: 60_000 });
      t.equal(one.overlapping, 0, `one batch at a time: none of ${one.batches} overlapped`);
      if (db.name === 'pglite') return; // one connection: batches run one after the other whatever the setting
      const four = await overlaps({ EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: 4, EVENT_STORE_GROUP_COMMIT_STALL_MS: 60_000 });
      t.ok(four.overlapping > 0, `four at a time: ${four.overlapping} of ${four.batches} batches started while another ran`);
    });

    t.test('30 appends for the same expected revision in one batch: one wins, 29 are conflicts', async (t) => {
      const stream = `${category()}-1`;
      await store.append(stream, events(1), { expectedRevision: 'no_stream' });
      const before = counted.batches();
      const { ok, failed } = await settled(Array.from({ length: 30 }, () => store.append(stream, events(1), { expectedRevision: 0 })));
      t.equal(ok.length, 1);
      t.same(ok[0]?.nextRevision, 1);
      t.equal(failed.length, 29);
      t.ok(failed.every((err) => isConcurrencyError(err)), 'every loser is a concurrency conflict');
      t.ok(counted.batches() > before, 'they went in a batch');
      await chainOk(t, store, stream, 2);
    });

    t.test('one id in two appends sent at once: exactly one lands, the other is a duplicate', async (t) => {
      const cat = category();
      const shared = newEvent();
      const fillers = Array.from({ length: 6 }, (_, i) => store.append(`${cat}-f${i}`, events(1), { expectedRevision: 'no_stream' }));
      const both = await Promise.allSettled([
        store.append(`${cat}-a`, [shared], { expectedRevision: 'no_stream' }),
        store.append(`${cat}-b`, [shared], { expectedRevision: 'no_stream' }),
      ]);
      t.equal((await settled(fillers)).ok.length, 6, 'the appends around them land');
      t.equal(both.filter((r) => r.status === 'fulfilled').length, 1, 'one lands');
      const refused = both.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      t.match(refused?.reason, { code: 'DUPLICATE_EVENT_ID' });
      const winner = both[0]!.status === 'fulfilled' ? `${cat}-a` : `${cat}-b`;
      const loser = winner === `${cat}-a` ? `${cat}-b` : `${cat}-a`;
      await chainOk(t, store, winner, 1);
      await t.rejects(store.readStream(loser), { code: 'STREAM_NOT_FOUND' }, 'nothing of the refused append was written');
    });

    t.test('the same append sent twice at once (a client retry) is answered twice the same, written once', async (t) => {
      const stream = `${category()}-1`;
      await store.append(stream, events(1), { expectedRevision: 'no_stream' });
      const batch = events(2);
      const fillers = Array.from({ length: 6 }, () => store.append(`${category()}-f`, events(1), { expectedRevision: 'no_stream' }));
      const [a, b] = await Promise.all([store.append(stream, batch, { expectedRevision: 0 }), store.append(stream, batch, { expectedRevision: 0 })]);
      await Promise.all(fillers);
      t.same(a, b);
      t.equal(a.nextRevision, 2);
      await chainOk(t, store, stream, 3);
    });

    t.test('bad input is refused at once and does not spoil the batch it would have joined', async (t) => {
      const cat = category();
      const work = [
        store.append(`${cat}-1`, events(1), { expectedRevision: 'no_stream' }),
        store.append(`${cat}-2`, [{ ...newEvent(), type: '' }], { expectedRevision: 'no_stream' }),
        store.append(`${cat}-3`, events(1), { expectedRevision: 'no_stream' }),
      ];
      const results = await Promise.allSettled(work);
      t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
      t.match((results[1] as PromiseRejectedResult).reason, { code: 'VALIDATION_FAILED' });
    });
  });

  if (db.name === 'postgres') {
    t.test('postgres: two stores (two processes) racing on the same streams: whole-batch failures fall back, nothing lost', async (t) => {
      const first = counting(await db.open());
      const second = counting(await db.open());
      const a = await createSqlEventStore({ sql: first.sql, migrate: false });
      const b = await createSqlEventStore({ sql: second.sql, migrate: false });
      t.teardown(async () => {
        await a.close();
        await b.close();
      });
      const cat = category();
      const streams = 4;
      const perStore = 200;
      const work = [a, b].flatMap((store) =>
        Array.from({ length: perStore }, (_, i) => store.append(`${cat}-${i % streams}`, events(1), { expectedRevision: 'any' })),
      );
      const { ok, failed } = await settled(work);
      t.equal(failed.length, 0, failed.map(String).join('; '));
      t.equal(ok.length, 2 * perStore);
      t.ok(first.batches() + second.batches() > 0, 'batches were sent');
      for (let s = 0; s < streams; s++) await chainOk(t, a, `${cat}-${s}`, (2 * perStore) / streams);
    });
  }
}
