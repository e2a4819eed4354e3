import t from 'tap';
import { allProjections, rebuildProjections, schemaName, table, type AnyTable } from '../src/index.js';
import { rowSource } from '../src/engine/apply.js';
import { canonicalRow } from '../src/engine/row-cache.js';
import { loadProvince, seededRandom } from '../src/generate/load.js';
import { databases, mergeTaizhouIntoHangzhou, projectToHead, registerProvince, rowsOffPath, silent } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

/** One column of every type a read model may use. */
const sample: AnyTable = table<Record<string, unknown>>({
  name: 'sample',
  key: 'k',
  columns: { k: 'text', t: 'text', i: 'integer', b: 'bigint', d: 'date', ts: 'timestamptz', f: 'boolean', j: 'jsonb' },
});

/** Shows -0 (JSON.stringify writes it as 0) and keeps member order: equal texts mean equal values in equal order. */
const show = (value: unknown): string => JSON.stringify(value, (_k, v: unknown) => (Object.is(v, -0) ? '-0' : v));

/** Rows as handlers might put them, including the forms PostgreSQL rewrites. */
function handwritten(): Array<Record<string, unknown>> {
  return [
    { k: 'a', t: '台州泵业', i: 7, b: 300_000_000, d: '2018-06-01', ts: '2018-06-01T08:30:00.000Z', f: true, j: { policy: { rate: 2.5, cap: 1e21 }, a: [1, -0, null, 'x'] } },
    { k: 'b', t: '', i: -0, b: -9007199254740991, d: '0099-02-28', ts: '2018-06-01T08:30:00Z', f: false, j: [] },
    { k: 'c', t: null, i: null, b: null, d: null, ts: null, f: null, j: null },
    { k: 'd' },
    { k: 'e', ts: '2020-02-29T23:59:59.123456Z', d: '2020-02-29', j: { bb: 1, a: 2, ccc: { z: true, '10': 1, '2': 2, é: 'x', e: 'y' }, __proto__x: 1 } },
    { k: 'f', ts: '2020-01-01T00:00:00.100+00:00', j: { skipped: undefined, kept: 0.1, nested: [{ b: 1, a: 2 }] }, extra: 'not a column' },
    { k: 'g', t: 'emoji 🎉 and "quotes" \\ and \n newline', j: JSON.parse('{"__proto__": {"x": 1}, "a": "\\u00e9"}') as unknown },
    { k: 'h', ts: '1999-12-31T23:59:59.999999Z', b: 2 ** 53 - 1, i: 2147483647, j: { '': 1, ' ': 2 } },
  ];
}

/** Random rows in the forms the cache accepts. */
function randomRows(n: number): Array<Record<string, unknown>> {
  const random = seededRandom(11);
  const r = () => random.next();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const pad = (x: number, w: number) => String(x).padStart(w, '0');
  const keyChars = ['a', 'b', 'Z', '1', '0', 'é', '中', '_', ' ', '9'];
  const randomKey = () => Array.from({ length: Math.floor(r() * 4) }, () => pick(keyChars)).join('');
  const randomJson = (depth: number): unknown => {
    const kind = depth > 2 ? Math.floor(r() * 4) : Math.floor(r() * 6);
    if (kind === 0) return null;
    if (kind === 1) return r() < 0.5;
    if (kind === 2) return pick([0, -0, 1, -1, 0.1, 1 / 3, 1e-7, 123456789.125, 2 ** 60, -1e300]);
    if (kind === 3) return pick(['', 'x', '中文', 'a"b', 'tab\t']);
    if (kind === 4) return Array.from({ length: Math.floor(r() * 4) }, () => randomJson(depth + 1));
    return Object.fromEntries(Array.from({ length: Math.floor(r() * 5) }, () => [randomKey(), randomJson(depth + 1)]));
  };
  return Array.from({ length: n }, (_, i) => {
    const y = 1 + Math.floor(r() * 3000);
    const m = 1 + Math.floor(r() * 12);
    const d = 1 + Math.floor(r() * 28);
    const frac = Math.floor(r() * 7);
    const digits = frac === 0 ? '' : `.${String(Math.floor(r() * 10 ** frac)).padStart(frac, '0')}`;
    const date = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
    return {
      k: `r${i}`,
      t: r() < 0.1 ? null : `t${Math.floor(r() * 1e6)}`,
      i: Math.floor(r() * 2 ** 32) - 2 ** 31,
      b: Math.floor((r() - 0.5) * 2 ** 53),
      d: r() < 0.1 ? undefined : date,
      ts: `${date}T${pad(Math.floor(r() * 24), 2)}:${pad(Math.floor(r() * 60), 2)}:${pad(Math.floor(r() * 60), 2)}${digits}${r() < 0.5 ? 'Z' : '+00:00'}`,
      f: r() < 0.5,
      j: r() < 0.5 ? randomJson(0) : Object.fromEntries(Array.from({ length: 1 + Math.floor(r() * 5) }, () => [randomKey(), randomJson(1)])),
    };
  });
}

for (const target of targets) {
  t.test('a cached row is exactly what row_to_json gives back for the written row', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    await h.sql.exec(`create schema cache_check; create table cache_check.sample (k text collate "C" primary key, t text, i integer, b bigint, d date, ts timestamptz, f boolean, j jsonb);`);
    const { rows: zone } = await h.sql.query<{ tz: string }>(`select current_setting('TimeZone') as tz`);
    t.match(zone[0]?.tz, /^(Etc\/)?UTC$/, 'the test databases run in UTC, where timestamps are cached');
    // Only the top-level jsonb values that are objects or arrays are cached; scalars at the top are left to the database.
    const rows = [...handwritten(), ...randomRows(400)].map((row) =>
      row.j !== null && row.j !== undefined && typeof row.j !== 'object' ? { ...row, j: { v: row.j } } : row,
    );
    await h.sql.query(`insert into cache_check.sample select * from json_populate_recordset(null::cache_check.sample, $1::json)`, [JSON.stringify(rows)]);
    const { rows: back } = await h.sql.query<{ j: string }>(`select row_to_json(s)::text as j from cache_check.sample s`);
    const stored = new Map(back.map(({ j }) => {
      const row = JSON.parse(j) as Record<string, unknown>;
      return [row.k as string, row];
    }));
    let compared = 0;
    let different = 0;
    for (const row of rows) {
      const cached = canonicalRow(sample, row, true);
      if (cached === undefined) continue;
      compared++;
      t.ok(Object.isFrozen(cached), 'cached rows are frozen');
      if (show(cached) !== show(stored.get(row.k as string))) {
        different++;
        t.equal(show(cached), show(stored.get(row.k as string)), `row ${String(row.k)}`);
      }
    }
    t.equal(compared, rows.length, 'every one of these rows can be cached');
    t.equal(different, 0, `${compared} rows: the cached form equals row_to_json member for member, in order`);
  });
}

for (const target of targets) {
  t.test('rows written as arrays are stored exactly as json_populate_recordset stores them', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const ddl = `(k text collate "C" primary key, t text, i integer, b bigint, d date, ts timestamptz, f boolean, j jsonb)`;
    await h.sql.exec(`create schema w; create table w.sample ${ddl}; create table w.by_objects ${ddl};`);
    const odd = [
      { k: 'n1', j: null, t: null },
      { k: 'n2', i: '12', b: '-7', f: 'true', d: '2020-1-5', ts: '2020-01-01 08:00:00+08' },
      { k: 'n3', f: 1, i: 3, b: 0, j: 'a jsonb string' },
      { k: 'n4', j: 17 },
      { k: 'n5', j: [null, { a: null }] },
    ];
    const rows = [...handwritten(), ...randomRows(300), ...odd];
    const source = rowSource('w', sample, rows);
    t.match(source.select, /jsonb_array_elements/, 'these rows travel as arrays');
    await h.sql.query(`insert into w.sample (k, t, i, b, d, ts, f, j) ${source.select}`, [source.param]);
    await h.sql.query(`insert into w.by_objects select * from json_populate_recordset(null::w.by_objects, $1::json)`, [JSON.stringify(rows)]);
    const { rows: diff } = await h.sql.query<{ missing: number; extra: number; nulls: number }>(
      `select (select count(*)::int from (select * from w.by_objects except all select * from w.sample) a) as missing,
              (select count(*)::int from (select * from w.sample except all select * from w.by_objects) b) as extra,
              (select count(*)::int from w.sample s join w.by_objects o using (k) where (s.j is null) <> (o.j is null)) as nulls`,
    );
    t.same(diff[0], { missing: 0, extra: 0, nulls: 0 }, `${rows.length} rows: the same values, and SQL NULL where the JSON had null`);
    // A value whose text json_populate_recordset keeps as sent: the batch goes as objects, as it always did.
    for (const value of [1e21, { a: 1 }, true]) {
      t.match(rowSource('w', sample, [{ k: 'x', t: value }]).select, /json_populate_recordset/, `${JSON.stringify(value)} in a text column`);
    }
  });
}

t.test('values whose stored form is not certain keep their row out of the cache', async (t) => {
  const base = { k: 'x' };
  for (const [what, row, utc] of [
    ['a timestamp with an offset', { ...base, ts: '2020-01-01T08:00:00+08:00' }, true],
    ['a timestamp in another session time zone', { ...base, ts: '2020-01-01T08:00:00Z' }, false],
    ['a timestamp with nanoseconds', { ...base, ts: '2020-01-01T08:00:00.1234567Z' }, true],
    ['a date with a time', { ...base, d: '2020-01-01T00:00:00Z' }, true],
    ['an impossible date', { ...base, d: '2021-02-29' }, true],
    ['a number in a text column', { ...base, t: 5 }, true],
    ['a text with a NUL', { ...base, t: 'a\u0000b' }, true],
    ['a fraction in an integer column', { ...base, i: 1.5 }, true],
    ['a string in a bigint column', { ...base, b: '12' }, true],
    ['an unsafe integer', { ...base, b: 2 ** 53 + 2 }, true],
    ['a Date in jsonb', { ...base, j: { at: new Date(0) } }, true],
    ['a scalar jsonb', { ...base, j: 'text' }, true],
    ['NaN in jsonb', { ...base, j: [Number.NaN] }, true],
    ['a string for a boolean', { ...base, f: 'true' }, true],
  ] as const) {
    t.equal(canonicalRow(sample, row, utc), undefined, what);
  }
});

for (const target of targets) {
  t.test('rebuilds with the row cache (large, evicting, off) give exactly the live rows', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    await loadProvince(h.store, { projects: 30, seed: 12 });
    // A merge moves rows the cache holds (written or not), rows evicted and rows only the database has.
    await registerProvince(h.store);
    await mergeTaizhouIntoHangzhou(h.store);
    await loadProvince(h.store, { projects: 10, seed: 13, idPrefix: 'm' });
    const projector = await projectToHead(h);
    await projector.stop();
    t.same(await rowsOffPath(h.sql, '330000.330100'), [], 'every row is under the merged path');
    const variants = [
      { cacheRows: undefined, what: 'the default cache' },
      { cacheRows: 5, what: 'a cache of 5 rows (most rows evicted and read back)' },
      { cacheRows: 0, what: 'no cache' },
    ];
    for (const [i, variant] of variants.entries()) {
      const result = await rebuildProjections({
        sql: h.sql,
        store: h.store,
        projections: allProjections,
        logger: silent,
        pageSize: 7,
        keepOld: true,
        ...(variant.cacheRows === undefined ? {} : { cacheRows: variant.cacheRows }),
      });
      if (variant.cacheRows === undefined) t.ok(result.rowCache.hits > 200 && result.rowCache.misses === 0, `${variant.what}: rows come from the cache (${JSON.stringify(result.rowCache)})`);
      if (variant.cacheRows === 5) t.ok(result.rowCache.hits > 0 && result.rowCache.misses > 20, `${variant.what}: ${JSON.stringify(result.rowCache)}`);
      if (variant.cacheRows === 0) t.same(result.rowCache, { hits: 0, misses: 0 }, `${variant.what}: every row from the database`);
      const generation = i + 2;
      for (const projection of allProjections) {
        for (const def of projection.tables) {
          const [live, rebuilt] = [1, generation].map((g) => `${schemaName(projection.name, g)}.${def.name}`);
          const { rows } = await h.sql.query<{ missing: number; extra: number; total: number }>(
            `select (select count(*)::int from (select * from ${live} except all select * from ${rebuilt}) a) as missing,
                    (select count(*)::int from (select * from ${rebuilt} except all select * from ${live}) b) as extra,
                    (select count(*)::int from ${rebuilt}) as total`,
          );
          t.match(rows[0], { missing: 0, extra: 0 }, `${variant.what}: ${projection.name}.${def.name}, ${rows[0]?.total} rows, identical to the live projector's`);
        }
      }
    }
  });
}
