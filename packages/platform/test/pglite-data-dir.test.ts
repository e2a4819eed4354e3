import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import t from 'tap';
import { openPglite } from '@gongguan/platform/db';
import { pgliteVersion, prepareDataDir } from '../src/db/pglite-data-dir.js';

/** The embedded database's data directory: made out of process, copied from a template, never half-made. */
t.test('a fresh data directory is copied from a template made once, out of process', { timeout: 240_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'gongguan-pglite-dir-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const cache = join(base, 'templates');
  const template = join(cache, `pglite-${pgliteVersion()}`);

  const first = join(base, 'one', 'pglite');
  const sql = await openPglite(first, { templateCache: cache, sharedBuffers: '8MB' });
  t.ok(existsSync(join(template, 'PG_VERSION')), 'the template was made, for this PGlite version');
  t.ok(existsSync(join(first, 'PG_VERSION')), 'the data directory is an initialised one');
  t.same((await sql.query<{ v: string }>(`select current_setting('shared_buffers') as v`)).rows, [{ v: '8MB' }], 'shared_buffers as asked');
  await sql.exec('create table kept (n int); insert into kept values (42)');
  await sql.close();
  const templateMade = statSync(join(template, 'PG_VERSION')).mtimeMs;

  const second = join(base, 'two', 'pglite');
  const other = await openPglite(second, { templateCache: cache });
  t.same((await other.query<{ v: string }>(`select current_setting('shared_buffers') as v`)).rows, [{ v: '16MB' }], 'the default shared_buffers is 16MB');
  t.same((await other.query<{ n: string | null }>(`select to_regclass('kept')::text as n`)).rows, [{ n: null }], 'a copy of the template, not of another data directory');
  await other.close();
  t.equal(statSync(join(template, 'PG_VERSION')).mtimeMs, templateMade, 'the template was made once and reused');
  t.same(readdirSync(cache).filter((n) => n.includes('.tmp-')), [], 'no temporary directory is left in the cache');
  t.same(readdirSync(join(base, 'two')), ['pglite'], 'nor beside the data directory');

  const again = await openPglite(first, { templateCache: cache });
  t.same((await again.query<{ n: number }>('select n from kept')).rows, [{ n: 42 }], 'an existing data directory is opened, not replaced');
  await again.close();
});

t.test('without a template cache, initdb runs in a child process straight into the data directory', { timeout: 240_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'gongguan-pglite-dir-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'pglite');
  mkdirSync(dir);
  const before = process.memoryUsage().rss;
  await prepareDataDir(dir);
  t.ok(existsSync(join(dir, 'PG_VERSION')), 'an empty directory became a data directory');
  // initdb grows PGlite's memory to ~800 MB; here it happened in another process.
  t.ok(process.memoryUsage().rss - before < 100 * 2 ** 20, `this process grew by ${Math.round((process.memoryUsage().rss - before) / 2 ** 20)} MB`);
  t.same(readdirSync(base), ['pglite'], 'no temporary directory is left');
});

t.test('a directory with other files and no PG_VERSION is not touched', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'gongguan-pglite-dir-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  const dir = join(base, 'pglite');
  mkdirSync(dir);
  writeFileSync(join(dir, 'notes.txt'), 'mine');
  await prepareDataDir(dir, { templateCache: join(base, 'templates') });
  t.same(readdirSync(dir), ['notes.txt']);
  t.notOk(existsSync(join(base, 'templates')), 'no template was made for it');
});

t.test('a template cache that cannot be written costs time, not the start', { timeout: 240_000 }, async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'gongguan-pglite-dir-'));
  t.teardown(() => rmSync(base, { recursive: true, force: true }));
  writeFileSync(join(base, 'a-file'), '');
  const warnings: string[] = [];
  const logger = { info: () => {}, warn: (_: unknown, msg: string) => warnings.push(msg) } as unknown as Logger;
  const dir = join(base, 'pglite');
  await prepareDataDir(dir, { templateCache: join(base, 'a-file', 'templates'), logger });
  t.ok(existsSync(join(dir, 'PG_VERSION')), 'the data directory was made by initdb itself');
  t.match(warnings, [/the template cache cannot be written/]);
});
