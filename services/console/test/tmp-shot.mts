import { chromium } from 'playwright-core';
const U = 'http://127.0.0.1:3917';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
for (const [name, vp] of [['desk', { width: 1366, height: 768 }], ['phone', { width: 390, height: 844 }]] as const) {
  const ctx = await browser.newContext({ viewport: vp, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await ctx.newPage();
  await page.goto(U + '/');
  await page.getByTestId('sign-in-alice').click();
  await page.getByTestId('whoami').waitFor();
  await page.goto(U + '/#/projects/p1');
  await page.getByRole('heading', { level: 2 }).waitFor();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `/tmp/pp/${name}-project.png`, fullPage: true });
  await page.getByRole('button', { name: '下达整改', exact: true }).click();
  await page.waitForTimeout(800);
  await page.screenshot({ path: `/tmp/pp/${name}-drawer.png` });
  await page.goto(U + '/#/programmes');
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `/tmp/pp/${name}-programmes.png`, fullPage: true });
}
await browser.close();
