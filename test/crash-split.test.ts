import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { ensureDevKeys, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { caller } from './support/api.js';
import { startEntry, type ChildServer } from './support/process.js';
import { CODES, clockFile, launchProgramme, projectInPromotion, type Cast } from './support/story.js';

const skip = process.env.TEST_DATABASE_URL ? false : 'split-mode crash run needs PostgreSQL: TEST_DATABASE_URL not set';
if (skip) t.comment(skip);

const VIEWS = ['projects', 'programmes', 'milestones', 'disbursements', 'enterprise_subsidies', 'subsidy_entries', 'money_movements', 'activity'];

/**
 * kill -9 the command service and the projector of a split deployment under load; after the
 * restart the read models must equal what a rebuild from the log gives, row for row.
 */
t.test('split mode: kill -9 lifecycle-api and the projector under load, then converge to a rebuild', { skip }, async (t) => {
  const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  t.teardown(() => db.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-crash-split-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const keys = await ensureDevKeys(dataDir);
  const key = readPrivateJwk(keys.privateJwk);
  const env: NodeJS.ProcessEnv = { DATABASE_URL: db.url, DATA_DIR: dataDir, JWKS_FILE: keys.jwks, RATE_LIMIT_COMMANDS_PER_MINUTE: '0', RATE_LIMIT_READS_PER_MINUTE: '0', AUDIT_SEAL_INTERVAL_MS: '0', LOG_LEVEL: 'warn' };
  // The projects' calendar runs on a business clock the test moves (2018 → 2019), not on today's date.
  const clock = clockFile(dataDir);
  env.BUSINESS_CLOCK_FILE = clock.path;
  const servers: Record<string, ChildServer> = {};
  const start = async (name: string) => {
    servers[name] = await startEntry(`services/${name}/src/server.ts`, env);
    const s = servers[name]!;
    t.teardown(() => s.stop());
  };
  for (const name of ['lifecycle-api', 'projector', 'audit-api']) await start(name);
  const sign = (role: Role, sub: string) => signToken(key, { subject: sub, roles: [role] });
  const people: Cast = {
    alice: await sign('officer', 'alice'), bob: await sign('officer', 'bob'), chen: await sign('reviewer', 'expert-chen'), ann: await sign('approver', 'ann'),
    fay: await sign('finance', 'fay'), gus: await sign('finance', 'gus'), auditor: await sign('auditor', 'audrey'),
  };
  let lifecycle = caller(servers['lifecycle-api']!.url);
  await launchProgramme(lifecycle, people, 'tz-x', 5, clock.at);
  for (const id of ['x-1', 'x-2']) await projectInPromotion(lifecycle, people, 'tz-x', id, CODES.lead, clock.at);
  clock.at('2019-10-10T02:00:00Z');

  const jobs = Array.from({ length: 30 }, (_, i) => ({ key: `xpay-${i}`, projectId: i % 2 ? 'x-1' : 'x-2', acknowledged: false }));
  const send = (job: (typeof jobs)[number]) =>
    lifecycle('POST', `/v1/projects/${job.projectId}/contracts/c1/payments`, {
      token: people.alice,
      headers: { 'idempotency-key': job.key },
      body: { paymentId: job.key, amount: 300_000_000, bankReference: `X-${job.key.toUpperCase()}`, paidOn: '2019-10-09' },
    });
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      try {
        if ((await send(job)).status === 201) job.acknowledged = true;
      } catch {
        return;
      }
    }
  };
  const load = Promise.all([worker(), worker(), worker()]);
  await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 900)));
  await Promise.all([servers['lifecycle-api']!.crash(), servers['projector']!.crash()]);
  await load;
  t.comment(`${jobs.filter((j) => j.acknowledged).length} of ${jobs.length} payments acknowledged before kill -9`);

  await start('lifecycle-api');
  await start('projector');
  await start('reporting-api');
  lifecycle = caller(servers['lifecycle-api']!.url);
  let last = '';
  for (const job of jobs) {
    let res = await send(job);
    for (let i = 0; i < 3 && res.status === 409 && res.headers.get('retry-after'); i++) {
      await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000 + 200));
      res = await send(job);
    }
    t.equal(res.status, 201, `${job.key} ${job.acknowledged ? 'answers as before' : 'completes on retry'}`);
    if (typeof res.body.position === 'string' && res.body.position > last) last = res.body.position;
  }
  const reporting = caller(servers['reporting-api']!.url);
  const reporter = await sign('reporter', 'job');
  const caughtUp = await reporting('GET', `/v1/reporting/projects/x-1?minPosition=${encodeURIComponent(last)}`, { token: reporter });
  t.equal(caughtUp.status, 200, 'the restarted projector caught up');
  // Let the re-driver finish anything it owns, then read the live tables.
  await new Promise((r) => setTimeout(r, 1500));

  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  t.teardown(() => client.end());
  const snapshot = async () => {
    const out: Record<string, string> = {};
    for (const view of VIEWS) {
      const { rows } = await client.query(`select coalesce(json_agg(t order by t::text), '[]')::text as j from reporting.${view} t`);
      out[view] = String(rows[0].j);
    }
    return out;
  };
  const live = await snapshot();
  const projectorApi = caller(servers['projector']!.url);
  const admin = await sign('admin', 'ops');
  const rebuild = await projectorApi('POST', '/v1/projections/rebuild', { token: admin, body: {} });
  t.equal(rebuild.status, 202);
  let done = false;
  for (let i = 0; i < 300 && !done; i++) {
    const status = await projectorApi('GET', '/v1/projections', { token: admin });
    const list = (Array.isArray(status.body) ? status.body : (status.body.projections as unknown[])) as Array<{ rebuilding: unknown; generation: number; status: string }>;
    done = list.length > 0 && list.every((p) => p.rebuilding === null && p.generation > 1 && p.status === 'live');
    if (!done) await new Promise((r) => setTimeout(r, 200));
  }
  t.ok(done, 'the rebuild finished and was swapped in');
  const rebuilt = await snapshot();
  for (const view of VIEWS) t.equal(rebuilt[view], live[view], `reporting.${view}: live equals rebuilt, row for row`);

  const ledger = (await lifecycle('GET', `/v1/subsidy-ledgers/r2/${CODES.lead}/2019`, { token: people.fay })).body.state as { entries: unknown[]; entitlement: number };
  t.equal(ledger.entries.length, jobs.length, 'each payment assessed once');
  t.equal(ledger.entitlement, 100_000_000, 'the R2 cap holds');
  const audit = caller(servers['audit-api']!.url);
  t.equal((await audit('GET', '/v1/audit/verify', { token: people.auditor })).body.ok, true, 'chains verify');
});
