import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqlEventStore, type RecordedEvent } from '@gongguan/event-store';
import { createHttpApp, createLogger, ensureDevKeys, keyResolver, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels, startProjector, type RunningProjector } from '@gongguan/projections';
import { loadProvince } from '@gongguan/projections/generate';
import { taizhouPolicy } from '@gongguan/domain';
import { reportingRoutes } from '../src/app.js';
import { caughtUp } from './caught-up.js';

const logger = createLogger({ level: 'silent' });
const keyDir = mkdtempSync(join(tmpdir(), 'gg-reporting-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
const keys = await ensureDevKeys(keyDir);
const tokenFor = (role: Role, bureau?: string) => signToken(readPrivateJwk(keys.privateJwk), { subject: `${role}-1`, roles: [role], ...(bureau === undefined ? {} : { bureau }) });

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.test(`reporting API on ${db.name}`, async (t) => {
    const sql = await db.open();
    const store = await createSqlEventStore({ sql });
    await ensureReadModels(sql, allProjections);
    const loaded = await loadProvince(store, { projects: 70, seed: 11, firstYear: 2020, today: '2025-06-30' });
    let now = new Date('2025-06-30T04:00:00Z');
    const app = await createHttpApp({ logger, auth: { keys: keyResolver({ jwksFile: keys.jwks }) }, title: 'reporting test' });
    await reportingRoutes(app, { sql, clock: () => now, lastPosition: () => store.lastPosition(), maxWaitMs: 300 });
    await app.ready();
    let projector: RunningProjector | undefined;
    const project = async () => {
      projector ??= startProjector({ sql, store, projections: allProjections, logger });
      await caughtUp(sql, store);
    };
    t.teardown(async () => {
      await projector?.stop();
      await app.close();
      await store.close();
      await sql.close();
      await db.drop();
    });
    await project();
    const reporter = await tokenFor('reporter');
    const get = async (url: string, token = reporter) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
    const json = async <T>(url: string): Promise<T> => {
      const res = await get(url);
      if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
      return res.json<T>();
    };
    type Page = { items: Array<Record<string, unknown>>; nextCursor: string | null };
    const all = async (base: string, limit: number): Promise<Array<Record<string, unknown>>> => {
      const items: Array<Record<string, unknown>> = [];
      let cursor: string | null = null;
      do {
        const page: Page = await json<Page>(`${base}${base.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== null);
      return items;
    };

    t.test('roles: no token 401, a role without read access 403, reporter/auditor/officer (and approver/finance on the project list) 200', async (t) => {
      t.equal((await app.inject({ method: 'GET', url: '/v1/reporting/projects' })).statusCode, 401);
      t.equal((await get('/v1/reporting/projects', await tokenFor('reviewer'))).statusCode, 403);
      t.equal((await get('/v1/reporting/milestones', await tokenFor('finance'))).statusCode, 403, 'finance reads the project list and the disbursements, not the other lists');
      for (const role of ['reporter', 'auditor', 'officer', 'approver', 'finance'] as const) t.equal((await get('/v1/reporting/projects', await tokenFor(role))).statusCode, 200, role);
      t.equal((await get('/v1/reporting/projects?bogus=1')).statusCode, 400, 'unknown query parameters are refused');
    });

    t.test('paging through a list returns every row once', async (t) => {
      const projects = await all('/v1/reporting/projects', 7);
      t.equal(projects.length, loaded.projects);
      t.equal(new Set(projects.map((p) => p.projectId)).size, loaded.projects, 'no duplicates');
      // The province sees every event; Taizhou (a token without a bureau: 331000) all but the registry's
      // registrations of bureaus outside its subtree (the province's own).
      const provinceReporter = await tokenFor('reporter', '330000');
      const feed = async (token: string) => {
        const rows: Array<Record<string, unknown>> = [];
        let cursor: string | null = null;
        do {
          const res = await get(`/v1/reporting/activity?limit=500${cursor ? `&cursor=${cursor}` : ''}`, token);
          const page = res.json<Page>();
          rows.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor !== null);
        return rows;
      };
      t.equal((await feed(provinceReporter)).length, loaded.events, 'the province’s feed has every event');
      const registry = await store.readStream('bureaus-registry');
      const outside = registry.filter((e) => !String((e.data as { path?: string }).path ?? '').startsWith('330000.331000')).length;
      t.ok(outside >= 1, 'the registry holds a bureau outside Taizhou (the province)');
      const activity = await all('/v1/reporting/activity', 500);
      t.equal(activity.length, loaded.events - outside, 'Taizhou’s feed has every event of its subtree');
      t.ok(String(activity[0]?.position) > String(activity[1]?.position), 'newest first');
    });

    t.test('pagination stays stable while new events arrive', async (t) => {
      const before = (await all('/v1/reporting/projects?sort=submittedOn', 500)).map((p) => p.projectId);
      const first = await json<Page>('/v1/reporting/projects?sort=submittedOn&limit=10');
      // More projects arrive (a later seed's province under other ids) while the reader holds a cursor.
      const more = await loadProvince(store, { projects: 20, seed: 99, idPrefix: 'b', firstYear: 2020, today: '2025-06-30' });
      await project();
      const seen = first.items.map((p) => p.projectId);
      let cursor = first.nextCursor;
      while (cursor !== null) {
        const page: Page = await json<Page>(`/v1/reporting/projects?sort=submittedOn&limit=10&cursor=${cursor}`);
        seen.push(...page.items.map((p) => p.projectId));
        cursor = page.nextCursor;
      }
      t.equal(new Set(seen).size, seen.length, 'no row twice');
      t.ok(seen.length > before.length && seen.length <= before.length + more.projects, 'rows that arrived after the cursor show up; none before it');
      t.same(before.filter((id) => !seen.includes(id)), [], 'no earlier row skipped');
      t.equal((await get(`/v1/reporting/projects?sort=projectId&limit=10&cursor=${first.nextCursor}`)).statusCode, 400, 'a cursor is bound to its sort');
    });

    t.test('CSV export: UTF-8 with BOM, Chinese text intact, one line per row', async (t) => {
      const res = await get('/v1/reporting/exports/projects.csv');
      t.equal(res.statusCode, 200);
      t.match(res.headers['content-type'], /text\/csv; charset=utf-8/);
      t.ok(res.body.startsWith('\uFEFFproject_id,programme_id,title'), 'BOM and the view columns');
      const lines = res.body.trimEnd().split('\r\n');
      t.equal(lines.length - 1, await count('reporting.projects'));
      t.match(res.body, /关键技术攻关/);
      t.equal((await get('/v1/reporting/annual.csv?year=2023')).body.charAt(0), '\uFEFF');
    });
    const count = async (from: string) => (await sql.query<{ n: number }>(`select count(*)::int as n from ${from}`)).rows[0]?.n ?? 0;

    t.test('overdue is evaluated against the clock, not stored', async (t) => {
      const { rows } = await sql.query<{ project_id: string; milestone_id: string; due_on: string }>(
        `select project_id, milestone_id, due_on::text from reporting.milestones where project_status = 'in_progress' and status in ('pending', 'returned') order by due_on desc limit 1`,
      );
      const m = rows[0];
      if (m === undefined) return t.fail('no open milestone in this province');
      const dayAfter = new Date(`${m.due_on}T12:00:00+08:00`);
      dayAfter.setUTCDate(dayAfter.getUTCDate() + 1);
      const url = `/v1/reporting/milestones?projectId=${m.project_id}`;
      const find = (page: Page) => page.items.find((i) => i.milestoneId === m.milestone_id);
      now = new Date(`${m.due_on}T12:00:00+08:00`);
      t.equal(find(await json<Page>(url))?.overdue, false, 'not overdue on its due date');
      now = dayAfter;
      t.equal(find(await json<Page>(url))?.overdue, true, 'overdue the day after, with no event written');
      const due = await json<Page & { asOf: string }>(`/v1/reporting/due?withinDays=0&overdue=true&projectId=${m.project_id}`);
      t.ok(due.items.some((i) => i.itemId === m.milestone_id), '/v1/reporting/due lists it as overdue');
      t.equal(due.asOf, dayAfter.toISOString().slice(0, 10));
      now = new Date('2025-06-30T04:00:00Z');
      const soon = await json<Page>(`/v1/reporting/due?withinDays=30&overdue=false&asOf=${m.due_on}`);
      t.ok(soon.items.every((i) => Number(i.daysUntilDue) >= 0 && Number(i.daysUntilDue) <= 30), 'what falls due in the next 30 days');
    });

    t.test('?minPosition= waits for the projector, bounded, then 503 with Retry-After', async (t) => {
      await projector?.stop();
      projector = undefined;
      const { position } = await store.append('programme-zz-1', [{ id: '0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e2f', type: 'ProgrammeLaunched', schemaVersion: 1, data: { by: { id: 'officer-01', role: 'officer' }, at: '2025-06-01T10:00:00+08:00', programmeId: 'zz-1', name: '测试计划', bureau: '台州市科学技术局', quota: 3, focusIndustries: [], policy: taizhouPolicy }, metadata: { actorId: 'officer-01', actorRole: 'officer', correlationId: 'test' } }], { expectedRevision: 'no_stream' });
      const late = await get(`/v1/reporting/programmes?minPosition=${position}`);
      t.equal(late.statusCode, 503);
      t.equal(late.headers['retry-after'], '1');
      t.equal(late.json<{ code: string }>().code, 'NOT_READY');
      const waiting = get(`/v1/reporting/programmes?minPosition=${position}&limit=500`);
      projector = startProjector({ sql, store, projections: allProjections, logger });
      const res = await waiting.catch(() => undefined);
      const answer = res?.statusCode === 200 ? res : await get(`/v1/reporting/programmes?minPosition=${position}&limit=500`);
      t.equal(answer.statusCode, 200);
      t.ok(answer.json<Page>().items.some((p) => p.programmeId === 'zz-1'), 'reads its own write');
    });

    t.test('the annual summary equals sums computed from the raw events', async (t) => {
      await project();
      const events: RecordedEvent[] = [];
      for (let after: string | undefined; ; ) {
        const page = await store.readAll({ ...(after ? { after: after as RecordedEvent['position'] } : {}), limit: 5000 });
        events.push(...page.events);
        after = page.position;
        if (page.caughtUp) break;
      }
      const rule = new Map<string, string>();
      const expected = new Map<string, number>();
      const add = (k: string, v: number) => expected.set(k, (expected.get(k) ?? 0) + v);
      for (const e of events) {
        const d = e.data as Record<string, unknown>;
        if (e.type === 'DisbursementRequested') rule.set(String(d.disbursementId), String(d.rule));
        const r = rule.get(String(d.disbursementId));
        if (e.type === 'DisbursementPaid') add(`${r}:${String(d.paidOn).slice(0, 4)}/paid`, Number(d.amount));
        if (e.type === 'DisbursementReversed') add(`${r}:${String(d.reversedOn).slice(0, 4)}/reversed`, Number(d.amount));
        if (e.type === 'DisbursementClawedBack') add(`${r}:${String(d.decidedOn).slice(0, 4)}/clawed_back`, Number(d.amount));
      }
      const report = await json<{ sections: Record<string, Array<{ group: string; key: string; amount: number }>> }>('/v1/reporting/annual?year=2025');
      const got = new Map(report.sections.moneyByRuleAndYear?.filter((l) => l.key !== 'net').map((l) => [`${l.group}/${l.key}`, l.amount]));
      t.same(Object.fromEntries(got), Object.fromEntries(expected), 'money by rule and year');
      const submitted2023 = events.filter((e) => e.type === 'ProjectSubmitted' && String((e.data as { submittedOn: string }).submittedOn).startsWith('2023')).length;
      const annual2023 = await json<{ sections: Record<string, Array<{ key: string; count: number }>> }>('/v1/reporting/annual?year=2023');
      t.equal(annual2023.sections.projects?.find((l) => l.key === 'submitted')?.count, submitted2023, 'projects submitted in the year');
      const quarterly = await get('/v1/reporting/quarterly?year=2023&quarter=2');
      t.equal(quarterly.statusCode, 200);
      t.equal(quarterly.json<{ period: { from: string; to: string } }>().period.to, '2023-06-30');
    });

    t.test('one project in full, the portfolio, and the OpenAPI document', async (t) => {
      const [first] = (await json<Page>('/v1/reporting/projects?limit=1')).items;
      const detail = await json<{ project: { projectId: string }; milestones: unknown[] }>(`/v1/reporting/projects/${String(first?.projectId)}`);
      t.equal(detail.project.projectId, first?.projectId);
      t.equal((await get('/v1/reporting/projects/nope')).statusCode, 404);
      const portfolio = await json<{ groups: Array<{ projects: number }> }>('/v1/reporting/portfolio?by=industry&by=county');
      t.equal(portfolio.groups.reduce((s, g) => s + g.projects, 0), await count('reporting.projects'));
      const spec = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
      for (const path of ['/v1/reporting/projects', '/v1/reporting/due', '/v1/reporting/annual', '/v1/reporting/exports/projects.csv']) t.ok(spec.paths[path], path);
    });
  });
}
