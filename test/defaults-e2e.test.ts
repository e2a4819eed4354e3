import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { ensureDevKeys, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { caller } from './support/api.js';
import { environmentWithoutSettings, startEntry } from './support/process.js';
import { clockFile } from './support/story.js';
import { databaseKinds } from './support/system.js';
import { driver, driveWholeProject, type Story } from './support/whole-project.js';

/**
 * The defaults are what the tests run: `pnpm start`'s entry as a real process on the production
 * defaults (no GONGGUAN_ENV=test, nothing of the test runner's settings), tree heads sealed every
 * 2 s instead of every 5 minutes so that several seals land in the log during the story, and the
 * lifecycle's business clock in a file (BUSINESS_CLOCK_FILE) so that the story can walk the three
 * months before today: an approval needs a publicity period that started days before.
 */
const SEAL_INTERVAL_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

interface TreeHead { position: string; treeSize: number }

/** Every reporting route, as a reader would call it right after the last command. */
function reportingUrls(story: Story): string[] {
  const views = ['projects', 'milestones', 'rectifications', 'due-items', 'programmes', 'disbursements', 'money-movements', 'enterprise-subsidies', 'institution-subsidies', 'activity'];
  const lists = ['projects', 'milestones', 'rectifications', 'due', 'programmes', 'disbursements', 'money-movements', 'subsidies/enterprises', 'subsidies/institutions', 'activity'];
  const year = Number(story.today.slice(0, 4));
  const quarter = Math.floor((Number(story.today.slice(5, 7)) - 1) / 3) + 1;
  return [
    ...lists.map((l) => `/v1/reporting/${l}?limit=500`),
    ...views.map((v) => `/v1/reporting/exports/${v}.csv`),
    `/v1/reporting/projects/${story.projectId}`,
    '/v1/reporting/portfolio?by=stage&by=status',
    `/v1/reporting/quarterly?year=${year}&quarter=${quarter}`,
    `/v1/reporting/quarterly.csv?year=${year}&quarter=${quarter}`,
    `/v1/reporting/annual?year=${year}`,
    `/v1/reporting/annual.csv?year=${year}`,
  ];
}

async function readEverything(t: Test, baseUrl: string, token: string, urls: readonly string[], minPosition: string): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const url of urls) {
    const res = await fetch(`${baseUrl}${url}${url.includes('?') ? '&' : '?'}minPosition=${minPosition}`, { headers: { authorization: `Bearer ${token}` } });
    // Decoded keeping a byte order mark (res.text() drops it): the CSV exports start with one.
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    t.equal(res.status, 200, `${url} → 200${res.status === 200 ? '' : `: ${text.slice(0, 300)}`}`);
    t.notOk(res.headers.get('gongguan-read-model'), `${url}: every projection it reads is live`);
    answers.set(url, text);
  }
  return answers;
}

for (const kind of kinds) {
  t.test(`${kind}: pnpm start on its defaults, sealing every ${SEAL_INTERVAL_MS} ms, through a whole project; every read model stays live and a rebuild agrees`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-defaults-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const clock = clockFile(dataDir, new Date().toISOString());
    const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir, AUDIT_SEAL_INTERVAL_MS: String(SEAL_INTERVAL_MS), BUSINESS_CLOCK_FILE: clock.path };
    if (kind === 'postgres') {
      const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      t.teardown(() => db.drop());
      env.DATABASE_URL = db.url;
    }
    const server = await startEntry('scripts/start.ts', env, environmentWithoutSettings());
    t.teardown(() => server.stop());
    const call = caller(server.url);
    const key = readPrivateJwk((await ensureDevKeys(dataDir)).privateJwk);
    const token = (role: Role, subject: string) => signToken(key, { subject, roles: [role] });
    const people = {
      alice: await token('officer', 'alice'), bob: await token('officer', 'bob'), chen: await token('reviewer', 'expert-chen'),
      ann: await token('approver', 'ann'), fay: await token('finance', 'fay'), gus: await token('finance', 'gus'),
    };
    const auditor = await token('auditor', 'audrey');
    const reporter = await token('reporter', 'rita');
    const admin = await token('admin', 'adam');
    const treeHeads = async () => ((await call('GET', '/v1/audit/tree-heads?limit=1000', { token: auditor })).body.treeHeads ?? []) as TreeHead[];
    const d = driver(call);
    /** Until the audit service has sealed a head over everything written so far. */
    const sealed = async () => {
      const deadline = Date.now() + 10 * SEAL_INTERVAL_MS;
      for (;;) {
        const heads = await treeHeads();
        if (heads.some((h) => h.position > d.last)) return;
        if (Date.now() > deadline) throw new Error(`no tree head sealed after ${d.last} within ${10 * SEAL_INTERVAL_MS} ms`);
        await sleep(250);
      }
    };

    const story = await driveWholeProject(d, people, { programmeId: 'dflt-prog', projectId: 'dflt-p1' }, clock.at, sealed);
    await sealed();
    const heads = await treeHeads();
    t.ok(heads.length >= 4, `${heads.length} tree heads sealed during the story`);
    const lastSeal = heads.at(-1)?.position ?? '';
    t.ok(lastSeal > d.last, 'the last seal is after the last command');

    // Every projection passes the seals (no projection owns their stream) and stays live.
    let projections: Array<{ name: string; status: string; position: string; generation: number }> = [];
    for (let i = 0; i < 100; i++) {
      projections = (await call('GET', '/v1/projections', { token: admin })).body.projections as typeof projections;
      if (projections.every((p) => p.position >= lastSeal)) break;
      await sleep(100);
    }
    t.same(projections.map((p) => [p.name, p.status, p.position >= lastSeal]), [['activity', 'live', true], ['money', 'live', true], ['projects', 'live', true]], 'every checkpoint is past the last seal');
    const ready = await call('GET', '/readyz');
    t.equal(ready.status, 200, `/readyz: ${JSON.stringify(ready.body)}`);

    const urls = reportingUrls(story);
    const before = await readEverything(t, server.url, reporter, urls, d.last);
    const json = (url: string) => JSON.parse(before.get(url) ?? 'null') as Record<string, unknown> & { items: Array<Record<string, unknown>> };
    t.match(json('/v1/reporting/projects?limit=500').items, [{
      projectId: story.projectId, status: 'closed', stage: 'promotion', milestonesTotal: 2, milestonesAccepted: 2, rectificationsOpen: 0,
      contracts: 1, contractAmount: 400_000_000, bankPaid: story.payments.pay1, r1Awarded: 10_000_000, r2Granted: story.subsidies.granted,
    }]);
    t.match(json('/v1/reporting/programmes?limit=500').items, [{ programmeId: story.programmeId, quota: 2, slotsTaken: 1 }]);
    t.match(json('/v1/reporting/milestones?limit=500').items, [{ milestoneId: 'm1', status: 'accepted' }, { milestoneId: 'm2', status: 'accepted' }]);
    t.match(json('/v1/reporting/rectifications?limit=500').items, [{ rectificationId: 'rect-1', status: 'completed', late: false }]);
    const paid = json('/v1/reporting/disbursements?limit=500').items;
    t.same(paid.map((p) => [p.disbursementId, p.status, p.paidAmount, p.clawedBackAmount]).sort(), [
      [story.disbursements.r1, 'paid', 10_000_000, 0],
      [story.disbursements.r2[0], 'paid', 10_000_000, 0],
      [story.disbursements.r2[1], 'paid', 7_500_000, 7_500_000],
    ].sort(), 'R1 and both subsidies paid, the refunded one clawed back');
    t.same(json('/v1/reporting/money-movements?limit=500').items.map((m) => `${String(m.rule)}/${String(m.kind)}/${String(m.amount)}`).sort(), ['R1/paid/10000000', 'R2/clawed_back/7500000', 'R2/paid/10000000', 'R2/paid/7500000']);
    t.match(json('/v1/reporting/subsidies/enterprises?limit=500').items, [{ entitlement: story.subsidies.granted - story.subsidies.clawedBack }], 'the ledger after the refund');
    const activity = json('/v1/reporting/activity?limit=500').items;
    t.equal(activity[0]?.position, d.last, 'the feed ends at the last command');
    t.notOk(activity.some((a) => a.type === 'TreeHeadSealed'), 'the feed shows domain events only');
    t.match(json(`/v1/reporting/projects/${story.projectId}`), { project: { status: 'closed' }, milestones: [{}, {}], disbursements: [{}, {}, {}] });
    const annual = json(`/v1/reporting/annual?year=${story.today.slice(0, 4)}`) as unknown as { sections: Record<string, Array<{ group: string; key: string; amount: number }>> };
    const money = Object.fromEntries((annual.sections.moneyByRuleAndYear ?? []).map((l) => [`${l.group}/${l.key}`, l.amount]));
    const y = story.today.slice(0, 4);
    const moved: Array<[string, string, number]> = [['R1', story.moneyDays.r1, 10_000_000], ['R2', story.moneyDays.r2, story.subsidies.granted]];
    const expected: Record<string, number> = Object.fromEntries(moved.filter(([, on]) => on.startsWith(y)).map(([rule, on, amount]) => [`${rule}:${on.slice(0, 4)}/paid`, amount]));
    if (story.moneyDays.clawback.startsWith(y)) expected[`R2:${y}/clawed_back`] = story.subsidies.clawedBack;
    t.match(money, expected, 'the annual report counts the money of its year');
    for (const url of urls.filter((u) => u.includes('.csv'))) t.ok(before.get(url)?.startsWith('\uFEFF'), `${url} is CSV with a BOM`);

    // A rebuild through the admin route reads the whole log again, seals included, and gives the same answers.
    const job = await call('POST', '/v1/projections/rebuild', { token: admin, body: {} });
    t.equal(job.status, 202, JSON.stringify(job.body));
    let state = 'running';
    for (let i = 0; i < 600 && state === 'running'; i++) {
      await sleep(100);
      const status = (await call('GET', '/v1/projections', { token: admin })).body as { rebuilds: Array<{ id: string; state: string; error: string | null }>; projections: typeof projections };
      const mine = status.rebuilds.find((r) => r.id === job.body.id);
      state = mine?.state ?? 'missing';
      if (state === 'failed') t.fail(`the rebuild failed: ${mine?.error ?? ''}`);
      projections = status.projections;
    }
    t.equal(state, 'done', 'the rebuild completed');
    t.same(projections.map((p) => [p.name, p.status, p.generation]), [['activity', 'live', 2], ['money', 'live', 2], ['projects', 'live', 2]], 'readers now see generation 2');
    const after = await readEverything(t, server.url, reporter, urls, d.last);
    for (const url of urls) t.equal(after.get(url), before.get(url), `${url}: the same answer after the rebuild`);
    t.equal((await call('GET', '/readyz')).status, 200, 'still ready');
    t.notMatch(server.output(), /"level":"(error|fatal)"/, 'nothing was logged at error or fatal');
  });
}
