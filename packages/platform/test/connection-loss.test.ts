import pg from 'pg';
import t from 'tap';
import { appError, toAppError } from '@gongguan/platform';
import { isStorageUnreachable } from '@gongguan/platform/db';
import { createPostgresDatabase } from '@gongguan/platform/testing';

t.test('what counts as the database being unreachable', async (t) => {
  for (const code of ['ECONNREFUSED', 'ECONNRESET', '08006', '08001', '57P01', '57P02', '57P03']) t.ok(isStorageUnreachable({ code, message: 'x' }), code);
  t.ok(isStorageUnreachable(new Error('Connection terminated unexpectedly')));
  for (const code of ['42601', '23505', '40001', '22P05']) t.notOk(isStorageUnreachable({ code, message: 'x' }), `${code} is a statement's own failure`);
  t.notOk(isStorageUnreachable(appError('CONCURRENCY_CONFLICT', 'x')));
  t.notOk(isStorageUnreachable(undefined));
});

t.test('an unreachable database answers 503 STORAGE_UNAVAILABLE with Retry-After, not 500', async (t) => {
  const problem = toAppError(Object.assign(new Error('the database system is starting up'), { code: '57P03' }));
  t.equal(problem.status, 503);
  t.equal(problem.code, 'STORAGE_UNAVAILABLE');
  t.equal(problem.headers['retry-after'], '2');
  t.notMatch(problem.message, /starting up/, 'the driver text stays in the log');
  t.equal(toAppError(Object.assign(new Error('syntax error'), { code: '42601' })).code, 'INTERNAL');
});

const url = process.env.TEST_DATABASE_URL;
const skip = url ? false : 'PostgreSQL run skipped: TEST_DATABASE_URL not set';
if (skip) t.comment(skip);

/**
 * The connection of an open transaction dies (the server crashed or restarted; here its backend is
 * terminated): the transaction fails, the process lives on, and the pool serves the next query on a
 * fresh connection. Without a listener on the checked-out client, pg's 'error' event is uncaught.
 */
t.test('postgres: a transaction whose connection dies fails alone; the pool goes on', { skip }, async (t) => {
  const db = await createPostgresDatabase(url!);
  t.teardown(() => db.drop());
  const sql = await db.open();
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  t.teardown(() => admin.end());
  const failed = await sql
    .transaction(async (tx) => {
      const { rows } = await tx.query<{ pid: number }>('select pg_backend_pid() as pid');
      await admin.query('select pg_terminate_backend($1)', [rows[0]!.pid]);
      // The connection ends while no query of ours runs on it: pg emits 'error' on the client.
      await new Promise((r) => setTimeout(r, 300));
      await tx.query('select 1');
    })
    .then(
      () => undefined,
      (err: unknown) => err,
    );
  t.ok(isStorageUnreachable(failed), `the transaction fails as unreachable: ${String(failed)}`);
  const { rows } = await sql.query<{ one: number }>('select 1 as one');
  t.equal(rows[0]?.one, 1, 'the next query runs on a fresh connection');
  await t.resolves(
    sql.transaction(async (tx) => tx.query('select 1')),
    'and so does the next transaction',
  );
});
