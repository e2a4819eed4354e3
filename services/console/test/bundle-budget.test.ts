import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import t from 'tap';
import { defaultDistDir, ensureBuilt } from '../src/build.js';

/** The first route's download budget: the page, its entry script, the scripts and styles it preloads, gzip level 9. */
export const FIRST_ROUTE_BUDGET_BYTES = 400 * 1024;

t.test(`the first route downloads at most ${FIRST_ROUTE_BUDGET_BYTES / 1024} KiB gzip; charts and the Excel writer load later`, async (t) => {
  await ensureBuilt();
  const html = readFileSync(join(defaultDistDir, 'index.html'), 'utf8');
  const urls = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
  t.ok(urls.some((u) => u.endsWith('.js')), 'the page loads an entry script');
  const sizes = urls.map((u) => ({ u, gz: gzipSync(readFileSync(join(defaultDistDir, u))).length }));
  const total = gzipSync(html).length + sizes.reduce((a, s) => a + s.gz, 0);
  t.comment(`first route: ${(total / 1024).toFixed(1)} KiB gzip (${sizes.map((s) => `${s.u} ${(s.gz / 1024).toFixed(1)} KiB`).join(', ')})`);
  t.ok(total <= FIRST_ROUTE_BUDGET_BYTES, `${(total / 1024).toFixed(1)} KiB ≤ ${FIRST_ROUTE_BUDGET_BYTES / 1024} KiB`);
  const first = sizes.map((s) => readFileSync(join(defaultDistDir, s.u), 'utf8')).join('\n');
  t.notMatch(first, /echarts\/lib|zrender/, 'no chart library in the first route');
  t.notMatch(first, /\[Content_Types\]\.xml/, 'no Excel writer in the first route');
});
