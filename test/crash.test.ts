import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureDevKeys, readPrivateJwk, signToken } from '@gongguan/platform';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { caller } from './support/api.js';
import { startAllInOne } from './support/process.js';
import { CODES, clockFile, launchProgramme, projectInPromotion, type Cast } from './support/story.js';

const PROJECTS = ['k-1', 'k-2', 'k-3'];
const CAP = 100_000_000;

const kinds = process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
if (!process.env.TEST_DATABASE_URL) t.comment('PostgreSQL crash run skipped: TEST_DATABASE_URL not set');

for (const kind of kinds) {
  t.test(`${kind}: kill -9 under load loses nothing acknowledged and leaves nothing half done`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-crash-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir, RATE_LIMIT_COMMANDS_PER_MINUTE: '0', RATE_LIMIT_READS_PER_MINUTE: '0', AUDIT_SEAL_INTERVAL_MS: '0' };
    // The projects' calendar runs on a business clock the test moves (2018 → 2019), not on today's date.
    const clock = clockFile(dataDir);
    env.BUSINESS_CLOCK_FILE = clock.path;
    if (kind === 'postgres') {
      const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      t.teardown(() => db.drop());
      env.DATABASE_URL = db.url;
    }
    const key = readPrivateJwk((await ensureDevKeys(dataDir)).privateJwk);
    const sign = (role: 'officer' | 'reviewer' | 'approver' | 'finance' | 'auditor', sub: string) => signToken(key, { subject: sub, roles: [role] });
    const people: Cast = {
      alice: await sign('officer', 'alice'), bob: await sign('officer', 'bob'), chen: await sign('reviewer', 'expert-chen'), ann: await sign('approver', 'ann'),
      fay: await sign('finance', 'fay'), gus: await sign('finance', 'gus'), auditor: await sign('auditor', 'audrey'),
    };

    let server = await startAllInOne(env);
    t.teardown(() => server.stop());
    let call = caller(server.url);
    await launchProgramme(call, people, 'tz-k', 10, clock.at);
    for (const id of PROJECTS) await projectInPromotion(call, people, 'tz-k', id, CODES.lead, clock.at);
    clock.at('2019-10-10T02:00:00Z');

    // Load: payments of 3,000,000 yuan (R2 150,000 yuan each) from several clients, each with its own Idempotency-Key.
    type Job = { key: string; projectId: string; paymentId: string; acknowledged: boolean };
    const jobs: Job[] = [];
    for (let i = 0; i < 45; i++) {
      const projectId = PROJECTS[i % PROJECTS.length]!;
      jobs.push({ key: `pay-${i}`, projectId, paymentId: `pay-${i}`, acknowledged: false });
    }
    const send = (job: Job) =>
      call('POST', `/v1/projects/${job.projectId}/contracts/c1/payments`, {
        token: people.alice,
        headers: { 'idempotency-key': job.key },
        body: { paymentId: job.paymentId, amount: 300_000_000, bankReference: `CRASH-${job.key.toUpperCase()}`, paidOn: '2019-10-09' },
      });
    let next = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next++]!;
        try {
          const res = await send(job);
          if (res.status === 201) job.acknowledged = true;
        } catch {
          return; // the server died under us
        }
      }
    };
    const load = Promise.all([worker(), worker(), worker(), worker()]);
    await new Promise((r) => setTimeout(r, 400 + Math.floor(Math.random() * 1200)));
    await server.crash();
    await load;
    const acknowledged = jobs.filter((j) => j.acknowledged);
    t.comment(`${acknowledged.length} of ${jobs.length} payments acknowledged before kill -9`);

    server = await startAllInOne(env);
    call = caller(server.url);
    const fetchProject = async (id: string) => (await call('GET', `/v1/projects/${id}`, { token: people.alice })).body as { state: { payments: Record<string, unknown> }; pending: unknown[] };
    for (const job of acknowledged) {
      const p = await fetchProject(job.projectId);
      if (!p.state.payments[job.paymentId]) t.fail(`acknowledged payment ${job.paymentId} is missing after the restart`);
    }
    t.pass('every acknowledged payment survived');

    // The client retries everything it did not get an answer for, with the same keys.
    for (const job of jobs.filter((j) => !j.acknowledged)) {
      let res = await send(job);
      // The request that was running when the process died still holds its key's lease: wait as told.
      for (let i = 0; i < 3 && res.status === 409 && res.headers.get('retry-after'); i++) {
        await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after')) * 1000 + 200));
        res = await send(job);
      }
      t.equal(res.status, 201, `retry of ${job.key} completes (${JSON.stringify(res.body).slice(0, 160)})`);
    }
    for (const job of acknowledged.slice(0, 5)) {
      const res = await send(job);
      t.equal(res.status, 201, `a retry of acknowledged ${job.key} answers as before`);
    }

    let pendingLeft = -1;
    for (let i = 0; i < 100 && pendingLeft !== 0; i++) {
      pendingLeft = 0;
      for (const id of PROJECTS) pendingLeft += (await fetchProject(id)).pending.length;
      if (pendingLeft > 0) await new Promise((r) => setTimeout(r, 100));
    }
    t.equal(pendingLeft, 0, 'no payment is left half applied');
    const payments = (await Promise.all(PROJECTS.map(fetchProject))).reduce((n, p) => n + Object.keys(p.state.payments).length, 0);
    t.equal(payments, jobs.length, 'each payment exactly once');
    const ledger = (await call('GET', `/v1/subsidy-ledgers/r2/${CODES.lead}/2019`, { token: people.fay })).body.state as { entries: Array<{ paymentId: string }>; entitlement: number };
    t.equal(ledger.entries.length, jobs.length, 'each payment assessed exactly once');
    t.equal(ledger.entitlement, CAP, 'the R2 cap holds: 1,000,000 yuan, not a fen more');

    const verified = await call('GET', '/v1/audit/verify', { token: people.auditor });
    t.equal(verified.status, 200, JSON.stringify(verified.body).slice(0, 300));
    t.equal(verified.body.ok, true, 'every hash chain verifies after the crash');
  });
}
