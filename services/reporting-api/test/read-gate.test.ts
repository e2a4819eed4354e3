import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqlEventStore } from '@gongguan/event-store';
import { createHttpApp, createLogger, ensureDevKeys, keyResolver, readPrivateJwk, signToken } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels, startProjector, type RunningProjector } from '@gongguan/projections';
import { loadProvince } from '@gongguan/projections/generate';
import { taizhouPolicy } from '@gongguan/domain';
import { reportingRoutes } from '../src/app.js';
import { createReadGate } from '../src/read-gate.js';

const logger = createLogger({ level: 'silent' });
const keyDir = mkdtempSync(join(tmpdir(), 'gg-read-gate-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
const keys = await ensureDevKeys(keyDir);
const reporter = await signToken(readPrivateJwk(keys.privateJwk), { subject: 'reporter-1', roles: ['reporter'] });
const meta = { actorId: 'officer-01', actorRole: 'officer', correlationId: 'read-gate-test' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The same Sql, counting the reads of the projector's catalogue. */
function countCatalogueReads(sql: Sql): { sql: Sql; count: () => number } {
  let count = 0;
  const query: Sql['query'] = (text, params, options) => {
    if (/from projector\.projections/.test(text)) count++;
    return sql.query(text, params, options);
  };
  return { sql: { ...sql, kind: sql.kind, query }, count: () => count };
}

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.test(`the read gate on ${db.name}`, async (t) => {
    const sql = await db.open();
    const store = await createSqlEventStore({ sql });
    await ensureReadModels(sql, allProjections);
    await loadProvince(store, { projects: 8, seed: 21, firstYear: 2022, today: '2024-06-30' });
    const counted = countCatalogueReads(sql);
    const app = await createHttpApp({ logger, auth: { keys: keyResolver({ jwksFile: keys.jwks }) }, title: 'read gate test' });
    await reportingRoutes(app, { sql: counted.sql, lastPosition: () => store.lastPosition(), maxWaitMs: 3000 });
    await app.ready();
    let projector: RunningProjector | undefined = startProjector({ sql, store, projections: allProjections, logger });
    t.teardown(async () => {
      await projector?.stop();
      await app.close();
      await store.close();
      await sql.close();
      await db.drop();
    });
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${reporter}` } });
    const atHead = async () => {
      const head = await store.headPosition();
      const res = await get(`/v1/reporting/programmes?minPosition=${head}`);
      t.equal(res.statusCode, 200, `caught up to ${head}`);
    };
    await atHead();

    t.test('a position beyond the last written event is refused at once, not waited for', async (t) => {
      const started = Date.now();
      const res = await get('/v1/reporting/projects?minPosition=ffffffffffffffff-ffffffffffffffff');
      t.equal(res.statusCode, 409);
      t.match(res.headers['content-type'], /application\/problem\+json/);
      t.match(res.json(), { code: 'POSITION_NOT_WRITTEN', minPosition: 'ffffffffffffffff-ffffffffffffffff', lastPosition: await store.lastPosition() });
      t.ok(Date.now() - started < 1000, `answered in ${Date.now() - started} ms (the longest wait is 3000 ms)`);
      const last = await store.lastPosition();
      t.equal((await get(`/v1/reporting/projects?minPosition=${last}`)).statusCode, 200, 'the last written position itself is fine');
    });

    t.test('a waiting read looks again when the projector announces progress, not in a loop', async (t) => {
      await projector?.stop();
      projector = undefined;
      const { position } = await store.append('programme-wait-1', [{ id: '0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e01', type: 'ProgrammeLaunched', schemaVersion: 1, data: { by: { id: 'officer-01', role: 'officer' }, at: '2024-06-01T10:00:00+08:00', programmeId: 'wait-1', name: '等待计划', bureau: '台州市科学技术局', quota: 3, focusIndustries: [], policy: taizhouPolicy }, metadata: meta }], { expectedRevision: 'no_stream' });
      const before = counted.count();
      const answer = get(`/v1/reporting/programmes?minPosition=${position}`);
      await sleep(1500);
      const reads = counted.count() - before;
      t.ok(reads <= 3, `${reads} reads of the catalogue in 1.5 s of waiting (one, then one per second without an announcement)`);
      projector = startProjector({ sql, store, projections: allProjections, logger });
      const res = await answer;
      t.equal(res.statusCode, 200);
      t.ok(res.json<{ items: Array<{ programmeId: string }> }>().items.some((p) => p.programmeId === 'wait-1'), 'reads its own write');

      // Without polling at all, only the announcement can wake the wait.
      const gate = createReadGate({ sql, lastPosition: () => store.lastPosition(), maxWaitMs: 20_000, pollMs: 60_000 });
      t.teardown(() => gate.close());
      await gate.check(['projects']);
      const next = await store.append('programme-wait-2', [{ id: '0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e02', type: 'ProgrammeLaunched', schemaVersion: 1, data: { by: { id: 'officer-01', role: 'officer' }, at: '2024-06-02T10:00:00+08:00', programmeId: 'wait-2', name: '等待计划二', bureau: '台州市科学技术局', quota: 3, focusIndustries: [], policy: taizhouPolicy }, metadata: meta }], { expectedRevision: 'no_stream' });
      const woke = Date.now();
      t.same(await gate.check(['projects'], next.position), {}, 'woken by the projector');
      t.ok(Date.now() - woke < 15_000, `in ${Date.now() - woke} ms, well before the 60 s poll`);
    });

    t.test('a projection being rebuilt answers 200 with a header naming it and its position', async (t) => {
      await atHead();
      await sql.query(`update projector.projections set status = 'outdated' where name = 'projects'`);
      t.teardown(() => sql.query(`update projector.projections set status = 'live' where name = 'projects'`));
      const { rows } = await sql.query<{ position: string }>(`select position from projector.projections where name = 'projects'`);
      const res = await get('/v1/reporting/milestones');
      t.equal(res.statusCode, 200);
      t.equal(res.headers['gongguan-read-model'], `projects;status=rebuilding;position="${rows[0]?.position}"`);
      t.notOk((await get('/v1/reporting/activity')).headers['gongguan-read-model'], 'a read of other projections has no header');
    });

    t.test('a projection whose handler fails makes every read that depends on it say so; the others go on', async (t) => {
      await atHead();
      // A well-formed event its handler cannot apply: a cancellation of a disbursement never requested.
      const bad = await store.append('disbursement-ghost-1', [{ id: '0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e09', type: 'DisbursementCancelled', schemaVersion: 1, data: { by: { id: 'finance-01', role: 'finance' }, at: '2024-06-03T10:00:00+08:00', disbursementId: 'ghost-1', reason: 'Zhang San asked for it' }, metadata: meta }], { expectedRevision: 'no_stream' });
      for (let i = 0; i < 500; i++) {
        const { rows } = await sql.query<{ status: string }>(`select status from projector.projections where name = 'money'`);
        if (rows[0]?.status === 'failed') break;
        await sleep(20);
      }
      const { rows: [project] } = await sql.query<{ project_id: string }>('select project_id from reporting.milestones limit 1');
      const money = [
        '/v1/reporting/projects',
        '/v1/reporting/disbursements',
        '/v1/reporting/money-movements',
        '/v1/reporting/subsidies/enterprises',
        '/v1/reporting/subsidies/institutions',
        '/v1/reporting/exports/disbursements.csv',
        '/v1/reporting/exports/projects.csv',
        '/v1/reporting/annual?year=2023',
        '/v1/reporting/quarterly.csv?year=2023&quarter=1',
        `/v1/reporting/projects/${project?.project_id ?? 'none'}`,
      ];
      for (const url of money) {
        const res = await get(url);
        t.equal(res.statusCode, 503, `${url} → 503`);
        t.match(res.headers['content-type'], /application\/problem\+json/, url);
        const body = res.json<Record<string, unknown>>();
        t.match(body, { code: 'PROJECTION_FAILED', projections: [{ name: 'money', failedAt: bad.position, eventType: 'DisbursementCancelled', reason: 'handler', summary: 'the projection could not apply a DisbursementCancelled event' }] }, url);
        t.notMatch(res.body, /ghost|Zhang|no row|select|insert/i, `${url}: no data, no SQL, no handler message`);
      }
      const started = Date.now();
      const waited = await get(`/v1/reporting/disbursements?minPosition=${bad.position}`);
      t.equal(waited.json<{ code: string }>().code, 'PROJECTION_FAILED', 'a read-your-writes wait on it is refused too');
      t.ok(Date.now() - started < 1500, 'at once, not after the longest wait');
      for (const url of ['/v1/reporting/milestones', '/v1/reporting/due', '/v1/reporting/programmes', '/v1/reporting/portfolio', '/v1/reporting/exports/milestones.csv', '/v1/reporting/activity?type=DisbursementCancelled']) {
        t.equal((await get(url)).statusCode, 200, `${url} does not depend on money: 200`);
      }
    });
  });
}
