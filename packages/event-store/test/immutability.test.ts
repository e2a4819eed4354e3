import t from 'tap';
import { randomUUID } from 'node:crypto';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { createSqlEventStore } from '../src/index.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const event = () => ({
  id: randomUUID(),
  type: 'ThingHappened',
  schemaVersion: 1,
  data: { n: 1 },
  metadata: { actorId: 'u', actorRole: 'officer', correlationId: 'c' },
});

for (const target of targets) {
  t.test('stored events cannot be changed', async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const sql = await db.open();
    const store = await createSqlEventStore({ sql });
    t.teardown(() => store.close());
    await store.append('project-immutable', [event(), event()], { expectedRevision: 'no_stream' });

    const refused = /event_store\.events is append-only: (UPDATE|DELETE|TRUNCATE) is refused/;
    t.test(`${db.name}: UPDATE is refused by the trigger, even for the superuser who owns the table`, async (t) => {
      await t.rejects(sql.query(`update event_store.events set data = '{"n":2}' where stream = 'project-immutable'`), refused);
      await t.rejects(sql.query(`update event_store.events set data = data where false`), refused, 'even when no row matches');
    });
    t.test(`${db.name}: DELETE is refused by the trigger`, async (t) => {
      await t.rejects(sql.query(`delete from event_store.events where stream = 'project-immutable'`), refused);
    });
    t.test(`${db.name}: TRUNCATE is refused by the trigger`, async (t) => {
      await t.rejects(sql.exec('truncate event_store.events'), refused);
    });
    t.test(`${db.name}: the events are intact`, async (t) => {
      const read = await store.readStream('project-immutable');
      t.same(read.map((e) => e.data), [{ n: 1 }, { n: 1 }]);
    });

    t.test(`${db.name}: the application role may read and append but not change`, { skip: db.name === 'pglite' ? 'roles need PostgreSQL' : false }, async (t) => {
      const denied = /permission denied/;
      // One transaction on one connection, so SET LOCAL ROLE covers every statement.
      await sql.transaction(async (tx) => {
        await tx.exec('set local role gongguan_app');
        const { rows } = await tx.query<{ n: number }>('select count(*)::int as n from event_store.events');
        t.equal(rows[0]?.n, 2, 'it can read');
        await tx.query(`savepoint s`);
        await t.rejects(tx.query(`delete from event_store.events`), denied, 'DELETE: permission denied');
        await tx.query(`rollback to savepoint s`);
        await t.rejects(tx.query(`update event_store.events set type = 'X'`), denied, 'UPDATE: permission denied');
        await tx.query(`rollback to savepoint s`);
        await t.rejects(tx.query(`truncate event_store.events`), denied, 'TRUNCATE: permission denied');
        await tx.query(`rollback to savepoint s`);
        await t.rejects(tx.query(`alter table event_store.events disable trigger events_no_update_or_delete`), /must be owner/, 'it cannot disable the trigger');
        await tx.query(`rollback to savepoint s`);
        const append = await tx.query<{ next_revision: number }>(
          `select next_revision from event_store.append('project-immutable', 'exact', 1, array[$1::uuid], array['ThingHappened'], array[1], array['{}'::json], array['{"actorId":"u"}'], array['h'], array['t'], false)`,
          [randomUUID()],
        );
        t.equal(append.rows[0]?.next_revision, 2, 'it can append');
        throw new Error('roll back');
      }).catch((err: unknown) => {
        if (!(err instanceof Error) || err.message !== 'roll back') throw err;
      });
    });
  });
}
