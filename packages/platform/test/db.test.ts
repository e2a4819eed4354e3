import t from 'tap';
import { migrate, type Migration } from '@gongguan/platform/db';
import { createPostgresDatabase, testDatabaseTargets } from '@gongguan/platform/testing';

const migrations: Migration[] = [
  { version: 1, name: 'widgets', sql: 'create table widgets (id int primary key);' },
  { version: 2, name: 'widgets_name', sql: 'alter table widgets add column name text;' },
];

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  t.test('migrations and transactions', async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const sql = await db.open();
    t.test(`${db.name}: each migration is applied once`, async (t) => {
      t.same((await migrate(sql, 'demo', migrations)).applied, [1, 2]);
      t.same((await migrate(sql, 'demo', migrations)).applied, []);
      const { rows } = await sql.query<{ n: number }>(`select count(*)::int as n from gongguan_migrations where component = 'demo'`);
      t.equal(rows[0]?.n, 2);
    });
    t.test(`${db.name}: a changed migration stops start-up`, async (t) => {
      await t.rejects(
        migrate(sql, 'demo', [{ version: 1, name: 'widgets', sql: 'create table other (id int);' }]),
        /was changed after it was applied/,
      );
    });
    t.test(`${db.name}: a failing transaction rolls back`, async (t) => {
      await t.rejects(
        sql.transaction(async (tx) => {
          await tx.query('insert into widgets (id) values (1)');
          throw new Error('boom');
        }),
      );
      const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from widgets');
      t.equal(rows[0]?.n, 0);
    });
    t.test(`${db.name}: LISTEN/NOTIFY reaches the listener`, async (t) => {
      const got = new Promise<string>((resolve) => {
        void sql.listen('gg_demo', resolve).then((unsub) => t.teardown(unsub));
      });
      await new Promise((r) => setTimeout(r, 50));
      await sql.query(`select pg_notify('gg_demo', 'hello')`);
      t.equal(await got, 'hello');
    });
  });
}

t.test('postgres: two runners racing apply each migration exactly once', { skip: skipped ? skipped : false }, async (t) => {
  const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL ?? '');
  t.teardown(() => db.drop());
  const a = await db.open();
  const b = await db.open();
  const [ra, rb] = await Promise.all([migrate(a, 'race', migrations), migrate(b, 'race', migrations)]);
  t.same([...ra.applied, ...rb.applied].sort(), [1, 2]);
  const { rows } = await a.query<{ n: number }>(`select count(*)::int as n from gongguan_migrations where component = 'race'`);
  t.equal(rows[0]?.n, 2);
});
