import t, { type Test } from 'tap';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { comparePositions, createSqlEventStore, type EventStore, type RecordedEvent } from '../src/index.js';

const url = process.env.TEST_DATABASE_URL;
const skip = url ? false : 'PostgreSQL runs skipped: TEST_DATABASE_URL not set (PGlite has one connection, so no transaction can overtake another)';
if (skip) t.comment(skip);

const event = () => ({
  id: randomUUID(),
  type: 'ThingHappened',
  schemaVersion: 1,
  data: { n: 1 },
  metadata: { actorId: 'u', actorRole: 'officer', correlationId: 'c' },
});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Follows the store from its head; `seen` fills as events arrive. */
async function follow(t: Test, store: EventStore): Promise<RecordedEvent[]> {
  const seen: RecordedEvent[] = [];
  const stop = new AbortController();
  t.teardown(() => stop.abort());
  const after = await store.headPosition();
  void (async () => {
    for await (const item of store.subscribe({ after, signal: stop.signal })) if (item.kind === 'event') seen.push(item.event);
  })();
  return seen;
}

async function until(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) return false;
    await sleep(10);
  }
  return true;
}

async function setup(t: Test) {
  const db = await createPostgresDatabase(url ?? '');
  t.teardown(() => db.drop());
  const sql = await db.open();
  const store = await createSqlEventStore({ sql });
  t.teardown(() => store.close());
  const raw = new pg.Client({ connectionString: db.url });
  await raw.connect();
  t.teardown(() => raw.end());
  return { db, sql, store, raw };
}

t.test('an append that commits late is delivered, in place, exactly once', { skip }, async (t) => {
  const { sql, store, raw } = await setup(t);
  // Test-only: an append to project-held-* takes its transaction id, then waits for a lock this
  // test holds, so later appends commit first with higher transaction ids.
  await sql.exec(`create function hold_append() returns trigger language plpgsql as $$
    begin
      if new.stream like 'project-held%' then
        perform pg_current_xact_id();
        perform pg_advisory_xact_lock_shared(4242);
      end if;
      return new;
    end $$;
    create trigger hold_append before insert on event_store.events for each row execute function hold_append();`);
  await raw.query('select pg_advisory_lock(4242)');
  const seen = await follow(t, store);

  let settled = false;
  const held = store.append('project-held-1', [event()], { expectedRevision: 'no_stream' }).finally(() => {
    settled = true;
  });
  await sleep(200);
  t.notOk(settled, 'the held append is waiting');
  const later = [];
  for (let i = 0; i < 5; i++) later.push(await store.append(`project-later-${i}`, [event()], { expectedRevision: 'no_stream' }));
  await sleep(500);
  t.same(seen, [], 'the later, committed events are not delivered past the open append');
  t.same((await store.readAll({ after: later[0]?.position })).events, [], 'nor read by readAll');

  await raw.query('select pg_advisory_unlock(4242)');
  const first = await held;
  t.ok(later.every((l) => comparePositions(first.position, l.position) < 0), 'the race happened: the late commit has the lowest position');
  t.ok(await until(() => seen.length === 6, 5_000), 'all six arrive');
  t.same(seen.map((e) => e.stream), ['project-held-1', ...later.map((_, i) => `project-later-${i}`)]);
  t.equal(new Set(seen.map((e) => e.id)).size, 6, 'each exactly once');
});

t.test('a transaction open in another database does not hold the subscriber back', { skip }, async (t) => {
  const { store } = await setup(t);
  const other = await createPostgresDatabase(url ?? '');
  t.teardown(() => other.drop());
  const otherClient = new pg.Client({ connectionString: other.url });
  await otherClient.connect();
  await otherClient.query('begin');
  await otherClient.query('select pg_current_xact_id()');
  t.teardown(async () => {
    await otherClient.query('rollback');
    await otherClient.end();
  });
  const seen = await follow(t, store);
  await store.append('project-free-1', [event()], { expectedRevision: 'no_stream' });
  t.ok(await until(() => seen.length === 1, 2_000), 'delivered promptly');
});

t.test('a transaction open in the same database delays delivery, then everything arrives', { skip }, async (t) => {
  const { store, raw } = await setup(t);
  const seen = await follow(t, store);
  await raw.query('begin');
  await raw.query('select pg_current_xact_id()');
  const before = await store.headPosition();
  const written = await store.append('project-lag-1', [event(), event()], { expectedRevision: 'no_stream' });
  await sleep(300);
  t.same(seen, [], 'the subscriber lags while an older transaction might still append');
  t.equal(await store.headPosition(), before, 'the readable head has not moved');
  t.equal(await store.lastPosition(), written.position, 'but the last written position has: a command\'s answer is never beyond it');
  await raw.query('commit');
  t.ok(await until(() => seen.length === 2, 3_000), 'delivered once the transaction ends, without a new append');
});
