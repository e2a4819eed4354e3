import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Test } from 'tap';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Whether Debian's Chromium is here (.ci/run installs it). Without it the browser suites skip and
 * say so; CI never runs without it.
 */
export function chromiumMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `browser tests skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run installs it)`;
}

/**
 * Launches Debian's Chromium headless with a fresh profile and without its background
 * connections (the closed network refuses them). Closed at teardown.
 */
export async function launchBrowser(t: Test): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'gongguan-chromium-'));
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic', `--user-data-dir=${profile}`].filter((a) => !a.startsWith('--user-data-dir')),
  });
  t.teardown(async () => {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return browser;
}

export const DESKTOP = { width: 1366, height: 768 };
export const PHONE = { width: 390, height: 844 };

/** A new context (its own storage: one person's session) at 1366 × 768 or a phone's size, in Chinese by default. */
export async function newPage(browser: Browser, options: { viewport?: { width: number; height: number }; lang?: 'zh' | 'en' } = {}): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: options.viewport ?? DESKTOP, locale: 'zh-CN', timezoneId: 'Asia/Shanghai', acceptDownloads: true });
  if (options.lang === 'en') await context.addInitScript(() => localStorage.setItem('gongguan.lang', 'en'));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

/** Signs in through the development sign-in page as one of the demo people. */
export async function signInAs(page: Page, url: string, subject: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByTestId(`sign-in-${subject}`).click();
  await page.getByTestId('whoami').waitFor();
}

const require = createRequire(import.meta.url);
// Evaluated through the DevTools protocol, which the page's Content-Security-Policy (script-src 'self') does not block.
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** Runs axe-core (WCAG 2.x A and AA rules) on the page and returns the serious and critical violations. */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Contrast is judged on what the page settles on: an element half-way through antd's fade or
  // zoom (a tooltip, a message) is measured at its passing opacity otherwise, and failed a run
  // once in three CI runs (color-contrast on the audit project page). Finite animations are
  // awaited, at most 2 s; endless ones (spinners) are left running.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(
        document
          .getAnimations()
          .filter((a) => Number.isFinite(Number(a.effect?.getTiming().iterations ?? 1)))
          .map((a) => a.finished.catch(() => undefined)),
      ),
      new Promise((resolve) => setTimeout(resolve, 2000)),
    ]),
  );
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Asserts that the page has no serious or critical accessibility violation. */
export async function checkAccessibility(t: Test, page: Page, what: string): Promise<void> {
  const v = await seriousViolations(page);
  t.same(
    v.map((x) => `${x.id} (${x.impact}): ${x.help} — ${x.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`),
    [],
    `${what}: no serious accessibility violation (axe-core)`,
  );
}
