import t from 'tap';
import type { Page } from 'playwright-core';
import type { Test } from 'tap';
import { checkAccessibility, chromiumMissing, launchBrowser, newPage, PHONE, signInAs } from './support/browser.js';
import { startConsoleSystem } from './support/system.js';

const LEAD = '91331000MA2AB12341';
const UNIVERSITY = '12331000470000001L';

/** A Shanghai calendar date n days from today. */
function day(n: number): string {
  return new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);
}

async function noSidewaysScroll(t: Test, page: Page, what: string): Promise<void> {
  const width = Number(await page.evaluate('document.documentElement.scrollWidth'));
  t.ok(width <= PHONE.width + 1, `${what}: no sideways scrolling on a phone (${width} px wide)`);
}

/** Accessibility once the tables have loaded (a loading table is drawn at half opacity). */
async function a11y(t: Test, page: Page, what: string): Promise<void> {
  await page.locator('.ant-spin-spinning').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  await checkAccessibility(t, page, what);
}

const missing = chromiumMissing();
if (missing) {
  t.comment(missing);
} else {
  t.test('the expert, approver and finance pages: declare then score, approve, R1 requested, approved by another, paid', async (t) => {
    const server = await startConsoleSystem(t);
    const url = server.url;
    const tokenOf = async (subject: string, role: string) => {
      const res = await fetch(`${url}/console/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, roles: [role] }) });
      return ((await res.json()) as { token: string }).token;
    };
    const tok = { alice: await tokenOf('alice', 'officer'), bob: await tokenOf('bob', 'officer'), chen: await tokenOf('expert-chen', 'reviewer'), lee: await tokenOf('expert-lee', 'reviewer'), fay: await tokenOf('fay', 'finance') };
    const post = async (path: string, token: string, body: unknown, on: number) => {
      const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'effective-date': day(on) }, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`${path} → ${res.status} ${await res.text()}`);
    };
    const get = async (path: string, token: string) => (await (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, unknown>;

    await post('/v1/programmes', tok.alice, { programmeId: 'rp', name: '台州市重大技术攻关', bureau: '台州市科技局', quota: 5, focusIndustries: ['pumps'] }, -90);
    await post('/v1/programmes/rp/solicitation/opening', tok.alice, { opensOn: day(-90), closesOn: day(30) }, -90);
    const propose = async (projectId: string, title: string, reviewers: string[]) => {
      await post('/v1/programmes/rp/proposals', tok.alice, {
        projectId, title, leadEnterprise: { name: '台州泵业有限公司', creditCode: LEAD }, industry: 'pumps', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000,
      }, -80);
      await post(`/v1/projects/${projectId}/formal-review`, tok.bob, { passed: true }, -80);
      for (const reviewerId of reviewers) await post(`/v1/projects/${projectId}/reviewers`, tok.alice, { reviewerId, name: reviewerId, employerCreditCode: UNIVERSITY }, -80);
    };
    await propose('p-score', '高效潜水泵水力模型攻关', ['expert-chen']);
    await propose('p-lee', '阀门密封材料攻关', ['expert-lee']);
    await propose('p-approve', '智能水泵控制器攻关', ['expert-chen']);
    await post('/v1/projects/p-approve/scores', tok.chen, { score: 85 }, -80);
    await post('/v1/projects/p-approve/publicity', tok.alice, { startsOn: day(-78) }, -80);

    const browser = await launchBrowser(t);
    const errors: string[] = [];

    t.test('the expert sees only her assignments and declares before scoring', async (t) => {
      const { page } = await newPage(browser);
      page.on('pageerror', (e) => errors.push(e.message));
      await signInAs(page, url, 'expert-chen');
      await page.getByRole('heading', { name: '我的评审' }).waitFor();
      const table = page.getByRole('table').first();
      await page.getByText('高效潜水泵水力模型攻关（p-score）').waitFor();
      const text = await page.locator('main').last().innerText();
      t.match(text, /智能水泵控制器攻关/, 'the proposal she scored is listed');
      t.match(text, /已评分：85 分/, 'with her score');
      t.notMatch(text, /阀门密封材料攻关|p-lee/, "another expert's assignment is not shown");
      t.match(text, /¥3,000,000\.00/, 'requested funding in yuan');
      t.ok(await table.isVisible());
      await a11y(t, page, 'expert reviews');

      await page.getByRole('button', { name: '开始评审：高效潜水泵水力模型攻关' }).click();
      await page.getByRole('radiogroup', { name: '与申报单位是否存在利益冲突？' }).waitFor();
      t.equal(await page.getByRole('form', { name: '专家评分' }).count(), 0, 'no score form before the declaration');
      await page.getByRole('radio', { name: '存在', exact: true }).check();
      await page.getByRole('form', { name: '利益冲突声明' }).waitFor();
      t.equal(await page.getByRole('form', { name: '专家评分' }).count(), 0, 'a declared conflict offers no score form');
      await page.getByRole('radio', { name: '不存在' }).check();
      const form = page.getByRole('form', { name: '专家评分' });
      await form.waitFor();
      await a11y(t, page, 'expert declaration and score form');
      await form.getByLabel('评分（0–100）').fill('78');
      await form.getByLabel('意见').fill('技术路线清晰');
      await form.getByRole('button', { name: '提交' }).click();
      await page.getByText('已评分：78 分').waitFor();
      const state = await get('/v1/projects/p-score', tok.chen);
      t.match(state.state, { reviewers: { 'expert-chen': { score: 78, conflictDeclared: false } } }, 'her score landed (read through the API)');

      const phone = await newPage(browser, { viewport: PHONE });
      await signInAs(phone.page, url, 'expert-chen');
      await phone.page.getByRole('heading', { name: '我的评审' }).waitFor();
      await phone.page.getByText('智能水泵控制器攻关').first().waitFor();
      await noSidewaysScroll(t, phone.page, 'expert reviews');
    });

    t.test('the approver approves the proposal whose publicity is over', async (t) => {
      const { page } = await newPage(browser);
      page.on('pageerror', (e) => errors.push(e.message));
      await signInAs(page, url, 'ann');
      await page.getByRole('heading', { name: '待我审批' }).waitFor();
      const row = page.getByRole('row', { name: /智能水泵控制器攻关/ });
      await row.getByRole('button', { name: '批准立项' }).waitFor();
      t.ok(await row.getByRole('button', { name: '不予立项' }).isVisible(), 'rejection offered too');
      await a11y(t, page, 'approvals');
      await row.getByRole('button', { name: '批准立项' }).click();
      const form = page.getByRole('form', { name: '批准立项' });
      await form.getByLabel('意见').fill('经局务会研究同意立项');
      await form.getByRole('button', { name: '提交' }).click();
      await page.getByRole('row', { name: /智能水泵控制器攻关/ }).waitFor({ state: 'detached' });
      const state = await get('/v1/projects/p-approve', tok.alice);
      t.match(state.state, { status: 'approved' }, 'approved in the console');

      const phone = await newPage(browser, { viewport: PHONE });
      await signInAs(phone.page, url, 'ann');
      await phone.page.getByRole('heading', { name: '待我审批' }).waitFor();
      await phone.page.getByRole('table').first().waitFor();
      await noSidewaysScroll(t, phone.page, 'approvals');
    });

    t.test('finance: fay requests R1, sees the four-eyes rule on her own request, gus approves, fay records the payment', async (t) => {
      const fay = (await newPage(browser)).page;
      fay.on('pageerror', (e) => errors.push(e.message));
      await signInAs(fay, url, 'fay');
      await fay.getByRole('heading', { name: '资金拨付' }).waitFor();
      const r1Row = fay.getByRole('row', { name: /智能水泵控制器攻关/ });
      await r1Row.getByRole('button', { name: '发放立项资助（R1）' }).click();
      const r1Form = fay.getByRole('form', { name: '发放立项资助（R1）' });
      t.equal(await r1Form.getByLabel('拨付编号').inputValue(), 'r1-p-approve', 'the disbursement id is prefilled');
      await a11y(t, fay, 'finance R1 form');
      await r1Form.getByRole('button', { name: '提交' }).click();
      const toApprove = fay.getByRole('table', { name: '待审批的拨付' });
      const mine = toApprove.getByRole('row', { name: /r1-p-approve/ });
      await mine.getByText('四眼原则：您是申请人，须由另一位财务人员审批').waitFor();
      t.equal(await mine.getByRole('button', { name: '审批拨付' }).count(), 0, 'no approve button on her own request, before any click');
      await a11y(t, fay, 'finance page');

      const gus = (await newPage(browser)).page;
      gus.on('pageerror', (e) => errors.push(e.message));
      await signInAs(gus, url, 'gus');
      const gusRow = gus.getByRole('table', { name: '待审批的拨付' }).getByRole('row', { name: /r1-p-approve/ });
      await gusRow.getByRole('button', { name: '审批拨付' }).click();
      const approval = gus.getByRole('form', { name: '审批拨付' });
      await approval.getByLabel('意见').fill('已核对立项文件');
      await approval.getByRole('button', { name: '提交' }).click();
      const gusPay = gus.getByRole('table', { name: '已审批、待登记银行支付的拨付' }).getByRole('row', { name: /r1-p-approve/ });
      await gusPay.getByText('四眼原则：您审批了此笔拨付，须由另一位财务人员登记支付').waitFor();
      t.pass('the approver is told he cannot record the payment');

      await fay.reload();
      const payRow = fay.getByRole('table', { name: '已审批、待登记银行支付的拨付' }).getByRole('row', { name: /r1-p-approve/ });
      await payRow.getByRole('button', { name: '登记银行支付' }).click();
      const pay = fay.getByRole('form', { name: '登记银行支付' });
      await pay.getByLabel('银行流水号').fill('ICBC-R1-0001');
      await pay.getByLabel('支付日期').fill(day(0));
      await pay.getByRole('button', { name: '提交' }).click();
      await fay.getByRole('table', { name: '拨付台账' }).getByRole('row', { name: /r1-p-approve.*已支付/ }).waitFor();

      await fay.getByRole('table', { name: '拨付台账' }).getByRole('link', { name: 'r1-p-approve' }).click();
      await fay.getByRole('heading', { name: '拨付 r1-p-approve' }).waitFor();
      await fay.getByTestId('disbursement-status').getByText('已支付').waitFor();
      const page = await fay.locator('main').last().innerText();
      t.match(page, /申请：fay/, 'requested by fay');
      t.match(page, /审批：gus/, 'approved by gus');
      t.match(page, /支付：fay 登记.*ICBC-R1-0001/, 'paid, recorded by fay with the bank reference');
      t.match(page, /¥3,000,000\.00|¥2,000,000\.00|¥/, 'the amount in yuan');
      await a11y(t, fay, 'disbursement page');
      const d = await get('/v1/disbursements/r1-p-approve', tok.fay);
      t.match(d.state, { status: 'paid', requestedBy: 'fay', approvedBy: 'gus', bankReference: 'ICBC-R1-0001' }, 'paid through the console (read through the API)');

      const phone = await newPage(browser, { viewport: PHONE });
      await signInAs(phone.page, url, 'fay');
      await phone.page.getByRole('heading', { name: '资金拨付' }).waitFor();
      await phone.page.getByRole('table', { name: '拨付台账' }).getByText('r1-p-approve').waitFor();
      await noSidewaysScroll(t, phone.page, 'finance');
      await phone.page.goto(`${url}/#/disbursements/r1-p-approve`);
      await phone.page.getByRole('heading', { name: '拨付 r1-p-approve' }).waitFor();
      await noSidewaysScroll(t, phone.page, 'disbursement page');
    });

    t.test('no script error on any page', async (t) => {
      t.same(errors, []);
    });
  });
}
