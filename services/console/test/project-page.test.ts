import { readFileSync } from 'node:fs';
import type { Locator, Page } from 'playwright-core';
import t from 'tap';
import { checkAccessibility, chromiumMissing, launchBrowser, newPage, PHONE, signInAs } from './support/browser.js';
import { startConsoleSystem } from './support/system.js';

const LEAD = '91331000MA2AB12341';
const UNIVERSITY = '12331000470000001L';

/** A token signed as `pnpm token` signs it, through the development sign-in. */
async function tokenFor(url: string, subject: string, role: string): Promise<string> {
  const res = await fetch(`${url}/console/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, roles: [role] }) });
  return ((await res.json()) as { token: string }).token;
}

async function projectState(url: string, token: string, projectId: string): Promise<{ revision: number; state: Record<string, unknown> }> {
  const res = await fetch(`${url}/v1/projects/${projectId}`, { headers: { authorization: `Bearer ${token}` } });
  return (await res.json()) as { revision: number; state: Record<string, unknown> };
}

/** A project up to its signed task book over the API (the dates back-recorded with Effective-Date, as the forms' 补录 does). */
async function projectInProgress(url: string, programmeId: string, projectId: string): Promise<void> {
  const people: Record<string, string> = {};
  for (const [who, role] of [['alice', 'officer'], ['bob', 'officer'], ['expert-chen', 'reviewer'], ['ann', 'approver']] as const) people[who] = await tokenFor(url, who, role);
  const post = async (who: string, path: string, body: unknown, effective: number) => {
    const res = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${people[who]}`, 'idempotency-key': `setup-${path}`, 'effective-date': shanghaiDay(effective) }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  };
  const P = `/v1/projects/${projectId}`;
  await post('alice', '/v1/programmes', { programmeId, name: '台州市技术攻关（节点）', bureau: '台州市科学技术局', quota: 2 }, -90);
  await post('alice', `/v1/programmes/${programmeId}/solicitation/opening`, { opensOn: shanghaiDay(-90), closesOn: shanghaiDay(30) }, -90);
  await post('alice', `/v1/programmes/${programmeId}/proposals`, { projectId, title: '模具智能设计关键技术', leadEnterprise: { name: '台州水泵有限公司', creditCode: LEAD }, industry: '模具', county: '黄岩区', principalInvestigator: { name: '李明' }, keyTechnologies: ['设计'], requestedFunding: 100_000_000 }, -80);
  await post('bob', `${P}/formal-review`, { passed: true }, -80);
  await post('alice', `${P}/reviewers`, { reviewerId: 'expert-chen', name: '陈军', employerCreditCode: UNIVERSITY }, -80);
  await post('expert-chen', `${P}/scores`, { score: 88 }, -80);
  await post('alice', `${P}/publicity`, { startsOn: shanghaiDay(-78) }, -80);
  await post('ann', `${P}/approval`, { comment: '同意立项' }, -70);
  await post('alice', `${P}/task-book`, { startOn: shanghaiDay(-60), approvedFunding: 80_000_000, milestones: [{ milestoneId: 'm1', title: '设计软件原型', dueOn: shanghaiDay(20) }, { milestoneId: 'm2', title: '样机验证', dueOn: shanghaiDay(200) }], indicators: [{ name: '设计周期', target: '缩短 30%' }] }, -70);
}

function shanghaiDay(offset = 0): string {
  return new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
}

/** Opens a command's form by its button and returns the form (named by the command's label). */
async function openForm(page: Page, scope: Locator | Page, label: string): Promise<Locator> {
  await scope.getByRole('button', { name: label, exact: true }).click();
  const form = page.getByRole('form', { name: label });
  await form.waitFor();
  return form;
}

/** Presses Tab until the element is focused (keyboard only); fails after `max` presses. */
async function tabTo(page: Page, target: Locator, max = 80): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${String(target)} with Tab`);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

const missing = chromiumMissing();
if (missing) {
  t.comment(missing);
  t.test('the project and programmes pages in a browser', { skip: missing }, () => undefined);
} else {
  t.test('programmes and the project page: forms in yuan, the stage bar and sections, evidence, a stale page, the keyboard, accessibility, a phone', async (t) => {
    const server = await startConsoleSystem(t);
    const browser = await launchBrowser(t);
    const aliceToken = await tokenFor(server.url, 'alice', 'officer');
    const programmeId = 'prog-console-1';
    const projectId = 'p-console-1';

    const { page } = await newPage(browser);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAs(page, server.url, 'alice');

    // The programmes page: launch, open the solicitation, submit a proposal, all through the forms.
    await page.goto(`${server.url}/#/programmes`);
    await page.getByRole('heading', { name: '计划与名额', level: 2 }).waitFor();
    let form = await openForm(page, page, '发布计划');
    await form.getByLabel('计划编号', { exact: true }).fill(programmeId);
    await form.getByLabel('名称', { exact: true }).fill('台州市十大技术攻关（控制台）');
    await form.getByLabel('科技局', { exact: true }).fill('台州市科学技术局');
    await form.getByLabel('立项名额', { exact: true }).fill('3');
    await form.getByLabel('重点产业', { exact: true }).fill('泵与电机\n模具');
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByText('已完成：发布计划').waitFor();
    const row = page.getByRole('row').filter({ hasText: programmeId });
    await row.waitFor();
    t.match(await row.innerText(), /0 \/ 3/, 'the programme is listed with its quota used');
    await checkAccessibility(t, page, 'programmes page');

    form = await openForm(page, row, '开始征集');
    t.equal(await form.getByLabel('开始日期', { exact: true }).inputValue(), shanghaiDay(), 'the opening day starts as today');
    await form.getByLabel('截止日期', { exact: true }).fill(shanghaiDay(30));
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByText('已完成：开始征集').waitFor();
    await row.getByText('征集中').waitFor();

    form = await openForm(page, row, '提交项目申报');
    await form.getByLabel('项目编号', { exact: true }).fill(projectId);
    await form.getByLabel('标题', { exact: true }).fill('高效节能潜水泵水力模型关键技术攻关');
    await form.getByLabel('牵头企业 · 名称', { exact: true }).fill('台州水泵有限公司');
    await form.getByLabel('牵头企业 · 统一社会信用代码', { exact: true }).fill(LEAD);
    await form.getByLabel('产业', { exact: true }).fill('泵与电机');
    await form.getByLabel('县（市、区）', { exact: true }).fill('温岭市');
    await form.getByLabel('项目负责人 · 名称', { exact: true }).fill('王伟');
    await form.getByLabel('关键技术', { exact: true }).fill('水力模型优化\n永磁电机');
    await form.getByLabel('申请资助金额（元）', { exact: true }).fill('3,000,000.00');
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByText('已完成：提交项目申报').waitFor();
    const submitted = await projectState(server.url, aliceToken, projectId);
    t.equal(submitted.state.requestedFunding, 300_000_000, '"3,000,000.00" yuan typed in the form is 300000000 fen in the API');
    t.equal(submitted.state.status, 'submitted');

    // The project page: stage bar, status, sections.
    await page.getByRole('link', { name: `打开项目 ${projectId}` }).click();
    await page.getByRole('heading', { level: 2, name: /高效节能潜水泵/ }).waitFor();
    const stages = page.getByRole('group', { name: '项目阶段' });
    t.match(await stages.innerText(), /征集[\s\S]*推进[\s\S]*推广/, 'the stage bar reads 征集 → 推进 → 推广');
    t.ok(await page.getByText('已申报', { exact: true }).first().isVisible(), 'the status tag');
    for (const heading of ['操作', '基本信息', '评审', '任务书与节点', '跟踪服务与整改', '合同与到账', '资金拨付', '补助台账', '证明材料']) {
      t.ok(await page.getByRole('heading', { level: 3, name: heading, exact: true }).isVisible(), `section ${heading}`);
    }
    t.ok(await page.getByRole('region', { name: '基本信息' }).getByText('¥3,000,000.00').isVisible(), 'the requested funding in yuan');
    t.ok(await page.getByRole('button', { name: '形式审查', exact: true }).isVisible(), 'the formal review is offered to an officer while submitted');
    t.notOk(await page.getByRole('button', { name: '签订任务书', exact: true }).count(), 'no task book before approval');
    await checkAccessibility(t, page, 'project page');
    await page.getByText('English', { exact: true }).click();
    await page.getByRole('heading', { level: 3, name: 'Basic information', exact: true }).waitFor();
    t.ok(await page.getByRole('button', { name: 'Record the formal review', exact: true }).isVisible(), 'in English the commands are named in English');
    await page.getByText('中文', { exact: true }).click();
    await page.getByRole('heading', { level: 3, name: '基本信息', exact: true }).waitFor();

    // Evidence: upload a PDF through the file input, download it back, the same bytes.
    const evidence = page.getByRole('region', { name: '证明材料' });
    await evidence.getByLabel('选择文件').setInputFiles({ name: '申报书.pdf', mimeType: 'application/pdf', buffer: PDF });
    await evidence.getByRole('button', { name: '上传证明材料' }).click();
    await evidence.getByText('已上传：申报书.pdf').waitFor();
    await evidence.getByRole('cell', { name: '申报书.pdf', exact: true }).waitFor();
    const [dl] = await Promise.all([page.waitForEvent('download'), evidence.getByRole('button', { name: '下载 申报书.pdf' }).click()]);
    t.equal(dl.suggestedFilename(), '申报书.pdf', 'the download keeps the name');
    t.same(readFileSync((await dl.path())!), PDF, 'the downloaded bytes are the uploaded ones');

    // A stale page: bob records the county recommendation; alice, on her old revision, records the formal review.
    const bob = await newPage(browser);
    await signInAs(bob.page, server.url, 'bob');
    await bob.page.goto(`${server.url}/#/projects/${projectId}`);
    await bob.page.getByRole('heading', { level: 2, name: /高效节能潜水泵/ }).waitFor();
    const bobForm = await openForm(bob.page, bob.page, '县区推荐');
    t.equal(await bobForm.getByLabel('县（市、区）', { exact: true }).inputValue(), '温岭市', 'the county comes from the proposal');
    await bobForm.getByLabel('意见', { exact: true }).fill('县泵业集群重点企业');
    await bobForm.getByRole('button', { name: '提交' }).click();
    await bob.page.getByText('已完成：县区推荐').waitFor();

    form = await openForm(page, page, '形式审查');
    await form.getByText('是', { exact: true }).click();
    await form.getByRole('button', { name: '提交' }).click();
    const staleAlert = form.getByRole('alert').filter({ hasText: '项目已被他人修改' });
    await staleAlert.waitFor();
    const changed = staleAlert.getByRole('row').filter({ hasText: '县区推荐' });
    t.match(await changed.innerText(), /县区推荐\s+—\s+温岭市/, 'the alert names the changed field with before and after');
    t.equal((await projectState(server.url, aliceToken, projectId)).state.status, 'submitted', 'the stale submission changed nothing');
    t.ok(await form.isVisible(), 'the form stays open');
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByText('已完成：形式审查').waitFor();
    t.equal((await projectState(server.url, aliceToken, projectId)).state.status, 'in_expert_review', 'resubmitted on the new revision, it is recorded');

    // Keyboard only: Tab to the button, Enter, type into the fields with Tab between them, Enter submits.
    await page.getByRole('button', { name: '指派评审专家', exact: true }).waitFor();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    await tabTo(page, page.getByRole('button', { name: '指派评审专家', exact: true }));
    await page.keyboard.press('Enter');
    form = page.getByRole('form', { name: '指派评审专家' });
    await form.waitFor();
    await tabTo(page, form.getByLabel('专家账号', { exact: true }));
    await page.keyboard.type('expert-chen');
    await page.keyboard.press('Tab');
    await page.keyboard.type('陈军');
    await page.keyboard.press('Tab');
    await page.keyboard.type(UNIVERSITY);
    await page.keyboard.press('Enter');
    await page.getByText('已完成：指派评审专家').waitFor();
    const reviewed = await projectState(server.url, aliceToken, projectId);
    t.same(Object.keys(reviewed.state.reviewers as object), ['expert-chen'], 'the form filled with the keyboard alone was recorded');
    await page.getByRole('region', { name: '评审' }).getByText('陈军').waitFor();

    // Actions next to the item: a milestone reported by alice on its row, accepted by bob on his.
    const second = 'p-console-2';
    await projectInProgress(server.url, 'prog-console-2', second);
    await page.goto(`${server.url}/#/projects/${second}`);
    await page.getByRole('heading', { level: 2, name: /模具智能设计/ }).waitFor();
    t.match(await page.getByRole('region', { name: '任务书与节点' }).innerText(), /¥800,000.00/, 'the approved funding in yuan');
    const m1 = page.getByRole('table', { name: '任务节点' }).getByRole('row').filter({ hasText: '设计软件原型' });
    t.equal(await page.getByRole('table', { name: '任务节点' }).getByRole('button', { name: '报告节点完成', exact: true }).count(), 2, 'each pending milestone offers its report');
    form = await openForm(page, m1, '报告节点完成');
    t.equal(await form.getByLabel('报告日期', { exact: true }).inputValue(), shanghaiDay(), 'reported today unless changed');
    await form.getByLabel('摘要', { exact: true }).fill('原型完成并通过内部评审');
    await form.getByLabel('证明材料', { exact: true }).fill('原型评审意见.pdf');
    await form.getByRole('button', { name: '提交' }).click();
    await page.getByText('已完成：报告节点完成').waitFor();
    await m1.getByText('已报告').waitFor();
    t.notOk(await m1.getByRole('button', { name: '报告节点完成', exact: true }).count(), 'a reported milestone is not reported again');
    await bob.page.goto(`${server.url}/#/projects/${second}`);
    const bobM1 = bob.page.getByRole('table', { name: '任务节点' }).getByRole('row').filter({ hasText: '设计软件原型' });
    const accept = await openForm(bob.page, bobM1, '验收节点');
    await accept.getByRole('button', { name: '提交' }).click();
    await bob.page.getByText('已完成：验收节点').waitFor();
    await bobM1.getByText('已验收').waitFor();
    const milestones = (await projectState(server.url, aliceToken, second)).state.milestones as Record<string, { status: string; reportedOn: string }>;
    t.equal(milestones.m1?.status, 'accepted', 'the milestone is accepted in the API');
    t.equal(milestones.m1?.reportedOn, shanghaiDay(), 'with the day it was reported');

    // A phone: the sections stack, no sideways scroll.
    const phone = await newPage(browser, { viewport: PHONE });
    await signInAs(phone.page, server.url, 'alice');
    for (const [route, heading] of [[`#/projects/${projectId}`, /高效节能潜水泵/], ['#/programmes', '计划与名额']] as const) {
      await phone.page.goto(`${server.url}/${route}`);
      await phone.page.getByRole('heading', { level: 2, name: heading }).waitFor();
      await phone.page.waitForLoadState('networkidle');
      const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
      t.ok(width <= PHONE.width + 1, `${route} on a phone: no sideways scrolling (${width} px wide)`);
    }
    t.same(errors, [], 'no script error on the page');
  });
}
