/**
 * `pnpm bench:console`: how fast the console's first page is interactive in Debian's Chromium
 * against the all-in-one (`pnpm start`'s entry on the defaults, embedded PGlite).
 *
 *   sign-in   a new browser context (empty cache) opens `/` until the demo sign-in buttons are enabled
 *   worklist  a signed-in officer opens `/` until the worklist's tables have their first rows
 *   warm      the same with the browser's cache (a second visit)
 *   baseline  the same browser opening `/healthz` (a tiny JSON answer): the floor of a navigation
 *
 * Each is measured BENCH_RUNS times (default 15); medians and p95 are printed, and one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { environmentWithoutSettings, startEntry } from '../../../test/support/process.js';
import { ensureBuilt } from '../src/build.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const root = new URL('../../../', import.meta.url).pathname;

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), min: s[0]!, max: s[s.length - 1]! };
}

await ensureBuilt();
const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-bench-console-'));
const server = await startEntry(join(root, 'scripts/start.ts'), { DATA_DIR: dataDir }, environmentWithoutSettings());
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'] });
try {
  const token = ((await (await fetch(`${server.url}/console/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'alice', roles: ['officer'] }) })).json()) as { token: string }).token;
  // Some data, so that the worklist has rows to show.
  const post = (path: string, body: unknown, effective?: string) => fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(effective ? { 'effective-date': effective } : {}) }, body: JSON.stringify(body) });
  const year = new Date().getFullYear();
  await post('/v1/programmes', { programmeId: 'bench-p', name: '台州市十大攻关项目', bureau: '台州市科技局', quota: 10, focusIndustries: ['泵业'] }, `${year}-01-02`);
  await post('/v1/programmes/bench-p/solicitation/opening', { opensOn: `${year}-01-03`, closesOn: `${year + 1}-12-31` }, `${year}-01-02`);
  for (let i = 0; i < 30; i++) {
    await post('/v1/programmes/bench-p/proposals', { projectId: `bench-${i}`, title: `高效节能水泵关键技术攻关 ${i}`, leadEnterprise: { name: '台州泵业有限公司', creditCode: '91331000MA2AB12341' }, industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000 });
  }

  const measure = async (what: string, url: string, ready: (page: Page) => Promise<unknown>, opts: { signedIn?: boolean; warm?: boolean }) => {
    const times: number[] = [];
    const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
    if (opts.signedIn) {
      const session = JSON.stringify({ token, subject: 'alice', roles: ['officer'], bureau: '331000', expiresAt: Math.floor(Date.now() / 1000) + 3600, via: 'dev' });
      await context.addInitScript((s) => sessionStorage.setItem('gongguan.session', s), session);
    }
    for (let i = 0; i < RUNS + 1; i++) {
      const ctx = opts.warm ? context : await browser.newContext({ viewport: { width: 1366, height: 768 } });
      if (!opts.warm && opts.signedIn) {
        const session = JSON.stringify({ token, subject: 'alice', roles: ['officer'], bureau: '331000', expiresAt: Math.floor(Date.now() / 1000) + 3600, via: 'dev' });
        await ctx.addInitScript((s) => sessionStorage.setItem('gongguan.session', s), session);
      }
      const page = await ctx.newPage();
      const started = performance.now();
      await page.goto(url);
      await ready(page);
      const ms = performance.now() - started;
      if (i > 0) times.push(ms); // the first run warms the server's caches
      await page.close();
      if (!opts.warm) await ctx.close();
    }
    await context.close();
    const s = stats(times);
    process.stderr.write(`${what.padEnd(10)} median ${s.median.toFixed(0)} ms  p95 ${s.p95.toFixed(0)} ms  (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)}, ${RUNS} runs)\n`);
    return s;
  };

  const baseline = await measure('baseline', `${server.url}/healthz`, (p) => p.getByText('ok').waitFor(), {});
  const signIn = await measure('sign-in', `${server.url}/`, (p) => p.getByTestId('sign-in-alice').waitFor({ state: 'visible' }), {});
  const worklist = await measure('worklist', `${server.url}/`, (p) => p.getByRole('link', { name: /高效节能水泵关键技术攻关/ }).first().waitFor(), { signedIn: true });
  const warm = await measure('warm', `${server.url}/`, (p) => p.getByRole('link', { name: /高效节能水泵关键技术攻关/ }).first().waitFor(), { signedIn: true, warm: true });
  const result = { machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version }, runs: RUNS, baseline, signIn, worklist, warm, ratioWorklistToBaseline: worklist.median / baseline.median };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
