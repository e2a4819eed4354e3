/**
 * The append's array literals (src/sql/array-literal.ts) read back by PostgreSQL and PGlite as
 * exactly the strings sent, for texts with quotes, backslashes, braces, commas, `NULL`, Unicode,
 * and for the texts the encoding must leave to `pg` (control characters, surrogates).
 */
import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { encodeColumns, textArray } from '../src/sql/array-literal.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const PLAIN = [
  '',
  'NULL',
  'null',
  'a,b',
  '{x}',
  '"quoted"',
  'back\\slash',
  '\\"',
  '\\\\"\\',
  ' leading and trailing ',
  '项目 攻关 ¥1,000',
  '{"summary":"He said \\"no\\"","path":"C:\\\\data"}',
  JSON.stringify({ lodgedOn: '2018-07-04', summary: 'Applicant overstated its patents', note: 'a\nb\t"c"\\' }),
  '\u007f del and \u2028 line separator',
];
const LEFT_TO_PG = ['line\nbreak', 'tab\there', 'control \u0001 inside', 'emoji 🚀', 'lone \ud800 surrogate'];

t.test('what the encoding writes, and what it leaves', async (t) => {
  t.equal(textArray([]), '{}');
  t.equal(textArray(['a', 'b"c', 'd\\e']), '{"a","b\\"c","d\\\\e"}');
  for (const value of LEFT_TO_PG) t.same(textArray(['ok', value]), ['ok', value], `${JSON.stringify(value)}: the column is left to pg`);
  t.same(encodeColumns([['a'], [1, 2], []]), ['{"a"}', [1, 2], '{}'], 'columns of strings only; an empty column is an empty array');
});

for (const target of targets) {
  t.test(`read back exactly on ${target.name}`, async (t) => {
    const db = await target();
    const sql = await db.open();
    t.teardown(async () => {
      await sql.close();
      await db.drop();
    });
    const columns = [PLAIN, ...[...PLAIN, ...LEFT_TO_PG.filter((v) => !v.includes('\ud800'))].map((v) => ['x', v])];
    let wrong = 0;
    for (const values of columns) {
      const [encoded] = encodeColumns([values]);
      const { rows } = await sql.query<{ a: string[] }>('select $1::text[] as a', [encoded]);
      if (JSON.stringify(rows[0]!.a) !== JSON.stringify(values)) {
        wrong++;
        t.fail(`${JSON.stringify(values)} came back as ${JSON.stringify(rows[0]!.a)}`);
      }
    }
    t.equal(wrong, 0, `${columns.length} columns read back as text[] exactly`);
    const json = [JSON.stringify({ a: 'x"y\\z', b: [1, '项目'] }), '{}', '"just a string"'];
    const { rows } = await sql.query<{ a: string[] }>('select array(select unnest($1::json[])::text) as a', [encodeColumns([json])[0]]);
    t.same(rows[0]!.a, json, 'json[] elements keep their text');
  });
}
