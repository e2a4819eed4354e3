import { fileURLToPath } from 'node:url';
import t from 'tap';
import { loadMigrations, migrate } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { idempotencyStore } from '../src/idempotency/store.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);
const migrations = loadMigrations(fileURLToPath(new URL('../migrations', import.meta.url)));

for (const target of targets) {
  const db = await target();
  t.teardown(() => db.drop());

  t.test(`${db.name}: idempotency keys older than the retention are forgotten, in chunks; recent and in-flight ones stay`, async (t) => {
    const sql = await db.open();
    await migrate(sql, 'lifecycle-api', migrations);
    const store = idempotencyStore(sql, 10);
    const response = { statusCode: 200, body: '{}', location: null, etag: '"1"' };
    for (let i = 0; i < 25; i++) {
      t.same(await store.claim('alice', `old-${i}`, 'h'), { kind: 'new' });
      await store.complete('alice', `old-${i}`, response);
    }
    await store.claim('alice', 'old-stopped', 'h'); // pending, its lease will have run out
    await store.claim('alice', 'old-in-flight', 'h'); // pending, lease still running
    await store.claim('alice', 'recent', 'h');
    await store.complete('alice', 'recent', response);
    await sql.query(`update lifecycle.idempotency_keys set created_at = now() - interval '100 hours' where key like 'old-%'`);
    await sql.query(`update lifecycle.idempotency_keys set locked_until = now() - interval '1 hour' where key = 'old-stopped'`);

    t.equal(await store.purge(72, 10), 26, '25 answered and 1 stopped key, deleted 10 at a time');
    const { rows } = await sql.query<{ key: string }>('select key from lifecycle.idempotency_keys order by key');
    t.same(rows.map((r) => r.key), ['old-in-flight', 'recent'], 'a request still holding its lease keeps its key');
    t.equal(await store.purge(72, 10), 0, 'nothing more to do');
    t.same(await store.claim('alice', 'old-3', 'other'), { kind: 'new' }, 'a forgotten key is a new request');
    t.same(await store.claim('alice', 'recent', 'h'), { kind: 'replay', response }, 'a remembered one still replays');
  });
}
