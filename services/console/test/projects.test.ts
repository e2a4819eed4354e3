import t from 'tap';
import { apiJson, devToken } from './support/api.js';
import { checkAccessibility, chromiumMissing, launchBrowser, newPage, PHONE, signInAs } from './support/browser.js';
import { startConsoleSystem } from './support/system.js';

const missing = chromiumMissing();
if (missing) {
  t.comment(missing);
  t.test('the project search in a browser', { skip: missing }, () => undefined);
} else {
  t.test('the projects search: server-paged list, filters as a form kept in the URL, links to the project pages', async (t) => {
    const server = await startConsoleSystem(t);
    const alice = await devToken(server.url, 'alice', ['officer']);
    const bob = await devToken(server.url, 'bob', ['officer']);
    // Two programmes with one proposal each; one of them passes its formal review.
    let position = '';
    for (const [programmeId, projectId, title, county] of [
      ['srch-a', 'srch-a-001', '高效节能潜水泵水力模型关键技术攻关', '温岭市'],
      ['srch-b', 'srch-b-001', '智能缝纫机伺服控制系统研发', '椒江区'],
    ] as const) {
      await apiJson(server.url, alice, 'POST', '/v1/programmes', { programmeId, name: `计划 ${programmeId}`, bureau: '台州市科学技术局', quota: 2, focusIndustries: ['泵业'] });
      await apiJson(server.url, alice, 'POST', `/v1/programmes/${programmeId}/solicitation/opening`, { opensOn: new Date().toISOString().slice(0, 10), closesOn: '2099-12-31' });
      const r = await apiJson<{ position?: string }>(server.url, alice, 'POST', `/v1/programmes/${programmeId}/proposals`, {
        projectId, title, leadEnterprise: { name: '台州水泵有限公司', creditCode: '91331000MA2AB12341' }, partners: [], industry: '泵业', county,
        principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000,
      });
      if (r.position && r.position > position) position = r.position;
    }
    const review = await apiJson<{ position?: string }>(server.url, bob, 'POST', '/v1/projects/srch-b-001/formal-review', { passed: true });
    if (review.position && review.position > position) position = review.position;
    // Read our own writes before the browser looks.
    await apiJson(server.url, alice, 'GET', `/v1/reporting/projects?minPosition=${position}&limit=1`);

    const browser = await launchBrowser(t);
    const { page } = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAs(page, server.url, 'alice');
    await page.getByRole('menuitem', { name: '项目查询' }).click();
    await page.getByRole('heading', { name: '项目查询', level: 2 }).waitFor();
    const table = page.getByRole('table');
    await table.getByRole('link', { name: 'srch-b-001' }).waitFor();
    t.ok(await table.getByRole('link', { name: 'srch-a-001' }).isVisible(), 'both projects listed without a filter');
    await checkAccessibility(t, page, 'projects search');

    // A link with a filter in it works.
    await page.goto(`${server.url}/#/projects?programmeId=srch-a`);
    await table.getByRole('link', { name: 'srch-b-001' }).waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'srch-a-001' }).waitFor();
    t.pass('a programmeId in the URL filters the list');
    t.equal(await page.getByLabel('计划编号').inputValue(), 'srch-a', 'the form shows the filter from the URL');
    t.match(await table.innerText(), /高效节能潜水泵.*\n?[\s\S]*温岭市[\s\S]*泵业/, 'title, county and industry shown');

    // The form, by keyboard: clear the programme, choose a status, submit with Enter.
    const filters = page.getByRole('form', { name: '筛选项目' });
    await filters.getByLabel('计划编号').fill('');
    await filters.getByLabel('状态').focus();
    await page.keyboard.type('专家评审中');
    await page.keyboard.press('Enter');
    await filters.getByLabel('计划编号').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/#\/projects\?status=in_expert_review$/);
    await table.getByRole('link', { name: 'srch-a-001' }).waitFor({ state: 'detached' });
    await table.getByRole('link', { name: 'srch-b-001' }).waitFor();
    t.pass('the status filter from the form, kept in the URL');

    await page.getByRole('radio', { name: '降序' }).check();
    await page.getByRole('button', { name: '查询' }).click();
    await page.waitForURL(/order=desc/);
    t.pass('the order is in the URL');

    await page.getByRole('button', { name: '清除条件' }).click();
    await table.getByRole('link', { name: 'srch-a-001' }).waitFor();
    await page.getByLabel('项目编号').first().fill('srch-a-001');
    await page.getByRole('button', { name: '打开' }).click();
    await page.waitForURL(/#\/projects\/srch-a-001$/);
    t.pass('a project opens by its id');
    t.same(errors, [], 'no script error on the page');

    const phone = await newPage(browser, { viewport: PHONE });
    await signInAs(phone.page, server.url, 'fay');
    await phone.page.goto(`${server.url}/#/projects?stage=solicitation`);
    await phone.page.getByRole('table').getByRole('link', { name: 'srch-a-001' }).waitFor();
    const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
    t.ok(width <= PHONE.width + 1, `no sideways scrolling on a phone (${width} px wide)`);
  });
}
