import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { events as eventLabels } from '../src/web/lib/messages.js';
import type { Page } from 'playwright-core';
import t, { type Test } from 'tap';
import { CODES } from '../../../test/support/story.js';
import { formatWan } from '../src/web/lib/format.js';
import { checkAccessibility, chromiumMissing, launchBrowser, newPage, PHONE, signInAs } from './support/browser.js';
import { repoRoot, startConsoleSystem } from './support/system.js';

// exceljs is the lifecycle API's dependency (it reads Excel imports): open the downloaded .xlsx with it.
const requireFromLifecycle = createRequire(join(repoRoot, 'services/lifecycle-api/package.json'));
interface Workbook {
  xlsx: { readFile(path: string): Promise<unknown> };
  worksheets: Array<{ getCell(address: string): { value: unknown; numFmt: string | undefined } }>;
}
const ExcelJS = requireFromLifecycle('exceljs') as { Workbook: new () => Workbook };

/** Today in Asia/Shanghai, moved by n days. */
function day(n: number): string {
  return new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);
}

interface HistoryEvent {
  id: string;
  stream: string;
  type: string;
  hash: string;
  metadata: { actorId: string; actorRole: string; recordedAt: string; effectiveDate?: string; backRecorded?: { by: string; role: string } };
}

async function tokenOf(url: string, subject: string, roles: string[]): Promise<string> {
  const res = await fetch(`${url}/console/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, roles }) });
  if (!res.ok) throw new Error(`dev sign-in ${subject}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

async function getJson<T>(url: string, token: string): Promise<T> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** No sideways page scroll: the document is no wider than the window. */
async function noSidewaysScroll(t: Test, page: Page, what: string): Promise<void> {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  t.ok(width <= PHONE.width + 1, `${what}: no sideways scrolling on a phone (${width} px wide)`);
}

const missing = chromiumMissing();
if (missing) {
  t.comment(missing);
  t.test("the auditor's replay and the reporter's dashboards in a browser", { skip: missing }, () => undefined);
} else {
  t.test("the auditor's replay and the reporter's dashboards, in Chromium, on the production defaults", async (t) => {
    const server = await startConsoleSystem(t);
    const url = server.url;
    const people = {
      alice: await tokenOf(url, 'alice', ['officer']),
      bob: await tokenOf(url, 'bob', ['officer']),
      chen: await tokenOf(url, 'expert-chen', ['reviewer']),
      ann: await tokenOf(url, 'ann', ['approver']),
      audrey: await tokenOf(url, 'audrey', ['auditor']),
      rita: await tokenOf(url, 'rita', ['reporter']),
    };
    let seq = 0;
    let lastPosition = '';
    const post = async (path: string, token: string, body: unknown, effectiveDate: string) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `audit-reports-${++seq}`, 'effective-date': effectiveDate },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`POST ${path} → ${res.status} ${JSON.stringify(answer)}`);
      if (typeof answer.position === 'string' && answer.position > lastPosition) lastPosition = answer.position;
      return answer;
    };

    // A project entered after the fact (back-recorded, 补录) from its proposal to its task book.
    const programmeId = 'tz-audit';
    const projectId = 'p-audit-1';
    const P = `/v1/projects/${projectId}`;
    await post('/v1/programmes', people.alice, { programmeId, name: '台州市科技攻关计划', bureau: '台州市科学技术局', quota: 5, focusIndustries: ['泵业'] }, day(-90));
    await post(`/v1/programmes/${programmeId}/solicitation/opening`, people.alice, { opensOn: day(-90), closesOn: day(30) }, day(-90));
    await post(`/v1/programmes/${programmeId}/proposals`, people.alice, {
      projectId, title: '高效节能潜水泵水力模型关键技术攻关', leadEnterprise: { name: '台州水泵有限公司', creditCode: CODES.lead }, partners: [],
      industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000,
    }, day(-80));
    // Recorded a second apart from what follows, so the date pickers (to the second) can tell them apart.
    const pause = () => new Promise((r) => setTimeout(r, 1100));
    await pause();
    await post(`${P}/formal-review`, people.bob, { passed: true }, day(-80));
    await post(`${P}/reviewers`, people.alice, { reviewerId: 'expert-chen', name: '陈军', employerCreditCode: CODES.university }, day(-80));
    await post(`${P}/scores`, people.chen, { score: 85 }, day(-80));
    await post(`${P}/publicity`, people.alice, { startsOn: day(-78) }, day(-80));
    await pause();
    await post(`${P}/approval`, people.ann, { comment: '同意立项' }, day(-70));
    await post(`${P}/task-book`, people.alice, {
      startOn: day(-60), approvedFunding: 200_000_000,
      milestones: [{ milestoneId: 'm1', title: '水力模型验证', dueOn: day(-10) }, { milestoneId: 'm2', title: '样机测试', dueOn: day(100) }],
      indicators: [{ name: '效率', target: '≥ 82%' }],
    }, day(-70));

    // A correction (issue 19): the second milestone's due date was typed wrong; the original stays as recorded.
    const correctedOn = day(120);
    await fetch(`${url}${P}/milestones/m2/date-corrections`, {
      method: 'POST',
      headers: { authorization: `Bearer ${people.alice}`, 'content-type': 'application/json', 'idempotency-key': 'audit-reports-correction' },
      body: JSON.stringify({ field: 'dueOn', date: correctedOn, reason: '任务书节点日期录入错误' }),
    }).then(async (res) => t.equal(res.status, 200, `a milestone date corrected: ${res.status} ${await res.text()}`));

    const history = await getJson<{ events: HistoryEvent[]; streams: string[] }>(`${url}/v1/audit/projects/${projectId}/history`, people.audrey);
    t.ok(history.events.length >= 8, `the project has a history (${history.events.length} events)`);

    const browser = await launchBrowser(t);
    const errors: string[] = [];

    // ── The auditor ──────────────────────────────────────────────────────────
    const { page } = await newPage(browser);
    page.on('pageerror', (e) => errors.push(e.message));
    await signInAs(page, url, 'audrey');
    await page.getByRole('heading', { name: '审计核查' }).waitFor();
    await page.getByTestId('store-badge').getByText('已验证').waitFor({ timeout: 30_000 });
    t.pass('the store badge says 已验证 (every hash chain verified)');
    await page.getByRole('link', { name: projectId }).waitFor({ timeout: 30_000 });
    await checkAccessibility(t, page, 'audit page');
    await page.getByRole('link', { name: projectId }).click();
    await page.getByRole('heading', { name: `项目审计：${projectId}` }).waitFor();

    // The timeline: who, role, recorded and effective time, 补录 and who entered it, the hash.
    const timeline = page.getByRole('table', { name: '事件时间线' });
    await timeline.waitFor();
    const rows = timeline.locator('tbody tr.ant-table-row');
    t.equal(await rows.count(), history.events.length, 'one row per event of the history');
    const submitted = history.events.find((e) => e.type === 'ProjectSubmitted')!;
    const submittedRow = timeline.locator(`tr[data-row-key="${submitted.id}"]`);
    const rowText = await submittedRow.innerText();
    t.match(rowText, 'ProjectSubmitted', 'the event type');
    t.match(rowText, 'alice', 'the actor');
    t.match(rowText, '项目专员', 'the role, in Chinese');
    const [y, m, d] = day(-80).split('-').map(Number);
    t.match(rowText, `${y}年${m}月${d}日`, 'the effective date (back-recorded to its day)');
    const recorded = new Date(Date.parse(submitted.metadata.recordedAt) + 8 * 3600_000);
    t.match(rowText, `${recorded.getUTCFullYear()}年${recorded.getUTCMonth() + 1}月${recorded.getUTCDate()}日 ${recorded.toISOString().slice(11, 16)}`, 'the recorded time (Beijing)');
    t.match(rowText, '补录', 'marked as back-recorded');
    t.match(rowText, '录入人 alice', 'with who entered it');
    t.match(rowText, submitted.hash.slice(0, 12), 'the hash, shortened');
    t.equal(await submittedRow.locator(`[title="${submitted.hash}"]`).count(), 1, 'the full hash on hover');
    const approvalRow = timeline.locator(`tr[data-row-key="${history.events.find((e) => e.type === 'ProjectApproved')!.id}"]`);
    t.match(await approvalRow.innerText(), '同意立项', 'the comment of a decision');

    // A correction beside its original, each linked to the other.
    const correction = history.events.find((e) => (e as HistoryEvent & { corrects?: { eventId: string } }).corrects)! as HistoryEvent & { corrects: { eventId: string; type: string } };
    t.ok(correction, 'the history pairs the correction with its original');
    const correctionRow = timeline.locator(`tr[data-row-key="${correction.id}"]`);
    t.match(await correctionRow.innerText(), '更正事件', 'the correction is marked');
    t.match(await correctionRow.innerText(), '任务书节点日期录入错误', 'with its reason');
    const originalRow = timeline.locator(`tr[data-row-key="${correction.corrects.eventId}"]`);
    t.match(await originalRow.innerText(), /已被更正[\s\S]*alice[\s\S]*任务书节点日期录入错误/, 'the original says it was corrected, by whom and why');
    await correctionRow.getByRole('button', { name: `更正：${eventLabels[correction.corrects.type]!.zh}` }).click();
    t.equal(await originalRow.evaluate((el) => el === document.activeElement), true, 'the link goes to the original');

    // The verification badge of the project's streams.
    await page.getByTestId('project-badge').getByText('已验证').waitFor({ timeout: 30_000 });
    t.pass("the project's badge says 已验证");

    // The state on a date: the slider stepped back to the first event shows the status then.
    const state = page.getByTestId('state-status');
    await state.getByText('实施中').waitFor();
    t.pass('now: 实施中 (in progress)');
    const handle = page.getByRole('slider', { name: '状态时刻' });
    await handle.focus();
    await handle.press('Home');
    await state.getByText('已申报').waitFor();
    t.equal(await page.getByTestId('state-revision').innerText(), '0', 'the state after the first event: revision 0, 已申报');
    await handle.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('[data-testid="state-revision"]')?.textContent !== '0');
    const stepped = Number(await page.getByTestId('state-revision').innerText());
    const instants = [...new Set(history.events.filter((e) => e.stream === `project-${projectId}`).map((e) => e.metadata.recordedAt))].sort();
    const firstLater = history.events.filter((e) => e.stream === `project-${projectId}` && e.metadata.recordedAt === instants[1]).at(-1);
    t.ok(stepped > 0, `the arrow key steps to the next recorded instant (revision ${stepped})`);
    t.equal(stepped, (history.events.filter((e) => e.stream === `project-${projectId}` && e.metadata.recordedAt <= instants[1]!).length - 1), 'the state after every event recorded up to the next instant');
    t.ok(firstLater, 'there is a later instant');

    // The diff between two dates (defaults: the first event and the last).
    await page.getByRole('button', { name: '比较' }).click();
    const diff = page.getByRole('table', { name: '状态差异' });
    await diff.waitFor();
    const statusRow = diff.locator('tr', { hasText: /^status/ }).first();
    await diff.getByText('status', { exact: true }).waitFor();
    const statusCells = await statusRow.locator('td').allInnerTexts();
    t.equal(statusCells[0], 'status', 'a diff row for the status');
    t.equal(statusCells[1], 'submitted', 'from the status after the first event');
    t.equal(statusCells[2], 'in_progress', 'to the status now');
    t.match(statusCells[3], '批准立项（ann · 审批领导）', 'with the events that changed it (their Chinese labels), who and in which role');
    await checkAccessibility(t, page, 'audit project page');

    // The bundle: downloaded through the console, verified offline by the standalone verifier.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载审计包', exact: true }).click()]);
    t.equal(download.suggestedFilename(), `${projectId}-bundle.json`, 'the file name');
    const dir = mkdtempSync(join(tmpdir(), 'gongguan-console-bundle-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'bundle.json');
    await download.saveAs(file);
    const bundle = JSON.parse(readFileSync(file, 'utf8')) as { manifest: { scope: { id: string } }; files: Record<string, string> };
    t.equal(bundle.manifest.scope.id, projectId, "the bundle is the project's");
    const bundleDir = join(dir, 'bundle');
    mkdirSync(bundleDir);
    for (const [name, text] of Object.entries(bundle.files)) writeFileSync(join(bundleDir, name), text);
    const verified = spawnSync(process.execPath, [join(repoRoot, 'scripts/verify-bundle.mjs'), bundleDir], { encoding: 'utf8' });
    t.equal(verified.status, 0, `the downloaded bundle verifies offline: ${verified.stdout.slice(-400)}${verified.stderr.slice(-400)}`);

    // After the export sealed a tree head, the store badge shows it, checked in the browser (signature and checkpoint).
    await page.goto(`${url}/#/audit`);
    await page.getByTestId('store-badge').getByText('已验证').waitFor({ timeout: 30_000 });
    await page.getByTestId('tree-size').waitFor();
    const head = await getJson<{ treeSize: number }>(`${url}/v1/audit/tree-heads/latest`, people.audrey);
    t.equal(await page.getByTestId('tree-size').innerText(), String(head.treeSize), 'the latest tree head: its size');
    const card = await page.locator('.ant-descriptions').innerText();
    t.match(card, /树头签名\s*通过/, 'the tree head signature verified in the browser');
    t.match(card, /检查点（C2SP）\s*通过/, 'the checkpoint names the head and its signature verifies');

    // ── The reporter ─────────────────────────────────────────────────────────
    // The read models follow the store: wait until they hold the project.
    for (let i = 0; i < 100; i++) {
      const p = await getJson<{ groups: Array<{ projects: number }> }>(`${url}/v1/reporting/portfolio?by=stage&minPosition=${encodeURIComponent(lastPosition)}`, people.rita);
      if (p.groups.length > 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const byStage = await getJson<{ groups: Array<{ key: { stage: string }; projects: number; requestedFunding: number; approvedFunding: number }> }>(`${url}/v1/reporting/portfolio?by=stage`, people.rita);
    t.ok(byStage.groups.length > 0, 'the portfolio has the project');
    const reporter = await newPage(browser);
    reporter.page.on('pageerror', (e) => errors.push(e.message));
    const rp = reporter.page;
    await signInAs(rp, url, 'rita');
    await rp.getByRole('heading', { name: '统计报表' }).waitFor();
    const stageTable = rp.getByRole('table', { name: '项目与资金按阶段' });
    await stageTable.waitFor();
    const stageText = await stageTable.innerText();
    const stageNames: Record<string, string> = { solicitation: '征集', advancement: '推进', promotion: '推广' };
    for (const g of byStage.groups) {
      t.match(stageText, new RegExp(`${stageNames[g.key.stage] ?? g.key.stage}\\s+${g.projects}\\s+${formatWan(g.requestedFunding, '').trim().replace('.', '\\.')}\\s+${formatWan(g.approvedFunding, '').trim().replace('.', '\\.')}`), `the table holds the API's figures for ${g.key.stage} (in 万元)`);
    }
    const chart = rp.getByRole('img', { name: /项目与资金按阶段柱状图/ });
    await chart.locator('canvas').first().waitFor();
    t.pass('the chart is drawn (a canvas), with a text alternative');
    await rp.getByRole('table', { name: '项目与资金按科技局（含下级小计）' }).waitFor();
    await rp.getByRole('table', { name: /年度报告/ }).waitFor();
    await checkAccessibility(t, rp, 'reports page');

    // CSV from the API's own export.
    const [csvDownload] = await Promise.all([rp.waitForEvent('download'), rp.getByRole('button', { name: '下载 CSV：项目与资金按科技局（含下级小计）' }).click()]);
    t.equal(csvDownload.suggestedFilename(), 'bureaus-portfolio.csv', "the server's file name");
    const csvFile = join(dir, 'bureaus.csv');
    await csvDownload.saveAs(csvFile);
    const csv = readFileSync(csvFile, 'utf8');
    t.match(csv, /own_projects/, 'the CSV the API wrote');
    t.match(csv, /200000000/, 'with the approved funding in fen');

    // CSV of the portfolio (made from the table: the API has no CSV of this grouping).
    const [stageCsv] = await Promise.all([rp.waitForEvent('download'), rp.getByRole('button', { name: '下载 CSV：项目与资金按阶段' }).click()]);
    await stageCsv.saveAs(join(dir, 'stage.csv'));
    t.match(readFileSync(join(dir, 'stage.csv'), 'utf8'), /^\uFEFF阶段,项目数,申请资金（元）,批准资金（元）\r\n推进,1,3000000\.00,2000000\.00/, 'the portfolio as CSV (UTF-8 with BOM, Chinese headers, yuan)');

    // Excel, made in the browser.
    const [xlsxDownload] = await Promise.all([rp.waitForEvent('download'), rp.getByRole('button', { name: '下载 Excel：项目与资金按阶段' }).click()]);
    t.equal(xlsxDownload.suggestedFilename(), 'portfolio-by-stage.xlsx');
    const xlsxFile = join(dir, 'stage.xlsx');
    await xlsxDownload.saveAs(xlsxFile);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxFile);
    const sheet = workbook.worksheets[0]!;
    t.equal(sheet.getCell('A1').value, '阶段', 'Chinese headers');
    t.equal(sheet.getCell('D1').value, '批准资金（元）');
    t.equal(sheet.getCell('A2').value, '推进', 'the stage');
    t.equal(sheet.getCell('B2').value, 1, 'the number of projects');
    t.equal(sheet.getCell('D2').value, 2_000_000, 'the approved funding in yuan, as a number');
    t.equal(sheet.getCell('D2').numFmt, '#,##0.00', 'shown with two decimals');

    // Excel of the annual report, too.
    const [annualXlsx] = await Promise.all([rp.waitForEvent('download'), rp.getByRole('button', { name: /下载 Excel：\d{4} 年度报告/ }).click()]);
    await annualXlsx.saveAs(join(dir, 'annual.xlsx'));
    const annual = new ExcelJS.Workbook();
    await annual.xlsx.readFile(join(dir, 'annual.xlsx'));
    t.equal(annual.worksheets[0]!.getCell('E1').value, '金额（元）', 'the annual report as Excel');

    // English is a switch.
    await rp.getByText('English', { exact: true }).click();
    await rp.getByRole('heading', { name: 'Reports' }).waitFor();
    await rp.getByRole('table', { name: 'Projects and funding by stage' }).getByText('Advancement').waitFor();
    t.pass('the reports in English');

    // A phone-sized window: no sideways page scroll on the three pages.
    const phone = await newPage(browser, { viewport: PHONE });
    phone.page.on('pageerror', (e) => errors.push(e.message));
    await signInAs(phone.page, url, 'audrey');
    await phone.page.getByRole('heading', { name: '审计核查' }).waitFor();
    await phone.page.getByTestId('store-badge').waitFor({ timeout: 30_000 });
    await noSidewaysScroll(t, phone.page, 'audit page');
    await phone.page.goto(`${url}/#/audit/projects/${projectId}`);
    await phone.page.getByRole('table', { name: '事件时间线' }).waitFor();
    await noSidewaysScroll(t, phone.page, 'audit project page');
    const phone2 = await newPage(browser, { viewport: PHONE });
    await signInAs(phone2.page, url, 'rita');
    await phone2.page.getByRole('table', { name: '项目与资金按阶段' }).waitFor();
    await phone2.page.locator('canvas').first().waitFor();
    await noSidewaysScroll(t, phone2.page, 'reports page');

    t.same(errors, [], 'no script error on the pages');
  });
}
