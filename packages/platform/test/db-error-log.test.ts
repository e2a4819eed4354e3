import t from 'tap';
import { createHttpApp, createLogger } from '@gongguan/platform';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { createLocalJWKSet } from 'jose';
import { logSink } from './helpers.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const PHONE = '13800138000';
const NAME = '王秀英';

for (const target of targets) {
  t.test('a failed query is logged without the values it was given', async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const sql = await db.open();
    await sql.exec(`create table people (phone text primary key, name text not null)`);
    await sql.query('insert into people (phone, name) values ($1, $2)', [PHONE, NAME]);
    const sink = logSink();
    const app = await createHttpApp({
      logger: createLogger({ level: 'info', destination: sink.stream }),
      auth: { keys: createLocalJWKSet({ keys: [] }) },
      title: 'test',
    });
    t.teardown(() => app.close());
    // Public, so the request reaches the query; each fails the way a forged parameter would.
    app.get('/bad-date', { config: { public: true } }, async () => sql.query('select $1::date as d, $2::text as who', [`${PHONE}-13-01`, NAME]));
    app.get('/duplicate', { config: { public: true } }, async () => sql.query('insert into people (phone, name) values ($1, $2)', [PHONE, NAME]));

    for (const url of ['/bad-date', '/duplicate']) {
      t.test(`${db.name}: ${url}`, async (t) => {
        const res = await app.inject({ method: 'GET', url });
        t.equal(res.statusCode, 500);
        t.notMatch(res.body, PHONE, 'the answer does not carry it');
        const line = sink.lines.map((l) => JSON.parse(l) as { msg?: string; err?: Record<string, unknown> }).findLast((l) => l.msg === 'request failed');
        t.ok(line?.err, 'the failure is logged with its error');
        const err = line?.err ?? {};
        t.match(err.code, /^(22007|22008|23505)$/, 'with its SQLSTATE');
        if (db.name === 'pglite') t.match(err.query, /^(select|insert)/, 'PGlite: the SQL text stays (it is code, not data)');
        t.notOk('params' in err, 'no parameters');
        const text = JSON.stringify(line);
        t.notMatch(text, PHONE, 'no parameter value anywhere in the line');
        t.notMatch(text, NAME, 'no personal name anywhere in the line');
      });
    }
  });
}
