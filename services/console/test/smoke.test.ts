import t from 'tap';
import { checkAccessibility, chromiumMissing, launchBrowser, newPage, PHONE, signInAs } from './support/browser.js';
import { startConsoleSystem } from './support/system.js';

const missing = chromiumMissing();
if (missing) {
  t.comment(missing);
  t.test('the console in a browser', { skip: missing }, () => undefined);
} else {
  t.test('the console at / on the defaults: sign-in page, a demo sign-in, the officer worklist, in Chinese and English', async (t) => {
    const server = await startConsoleSystem(t);
    const browser = await launchBrowser(t);
    const { page } = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/`);
    await t.resolves(page.getByText('开发环境演示登录').waitFor(), 'the sign-in page says it is the development sign-in');
    await checkAccessibility(t, page, 'sign-in page');
    await signInAs(page, server.url, 'alice');
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    t.match(await page.getByTestId('whoami').innerText(), /alice · 项目专员/);
    await checkAccessibility(t, page, 'officer worklist');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { name: 'My worklist' }).waitFor();
    t.pass('English is a switch');
    t.same(errors, [], 'no script error on the page');

    const phone = await newPage(browser, { viewport: PHONE });
    await signInAs(phone.page, server.url, 'alice');
    await phone.page.getByRole('heading', { name: '我的待办' }).waitFor();
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= PHONE.width + 1, `no sideways scrolling on a phone (${width} px wide)`);
  });
}
