import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureDevKeys, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { caller } from './support/api.js';
import { startEntry, type ChildServer } from './support/process.js';
import { CODES, clockFile, launchProgramme, projectInPromotion, type Cast } from './support/story.js';

const skip = process.env.TEST_DATABASE_URL ? false : 'split mode needs PostgreSQL: TEST_DATABASE_URL not set';
if (skip) t.comment(skip);

/** Each service as its own process on its own port, sharing one PostgreSQL: a project across all four. */
t.test('split mode: a project driven across the four processes', { skip }, async (t) => {
  const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  t.teardown(() => db.drop());
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-split-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // One key pair for the deployment (as a shared JWKS would be), made before any service starts.
  const keys = await ensureDevKeys(dataDir);
  const key = readPrivateJwk(keys.privateJwk);
  const env: NodeJS.ProcessEnv = {
    DATABASE_URL: db.url, DATA_DIR: dataDir, JWKS_FILE: keys.jwks, RATE_LIMIT_COMMANDS_PER_MINUTE: '0', AUDIT_SEAL_INTERVAL_MS: '0', LOG_LEVEL: 'warn',
  };
  // The projects' calendar runs on a business clock the test moves (2018 → 2019), not on today's date.
  const clock = clockFile(dataDir);
  env.BUSINESS_CLOCK_FILE = clock.path;
  const servers: Record<string, ChildServer> = {};
  for (const name of ['lifecycle-api', 'projector', 'reporting-api', 'audit-api']) {
    servers[name] = await startEntry(`services/${name}/src/server.ts`, env);
    t.teardown(() => servers[name]!.stop());
  }
  const ports = new Set(Object.values(servers).map((s) => new URL(s.url).port));
  t.equal(ports.size, 4, 'four processes on four ports');
  const sign = (role: Role, sub: string) => signToken(key, { subject: sub, roles: [role] });
  const people: Cast = {
    alice: await sign('officer', 'alice'), bob: await sign('officer', 'bob'), chen: await sign('reviewer', 'expert-chen'), ann: await sign('approver', 'ann'),
    fay: await sign('finance', 'fay'), gus: await sign('finance', 'gus'), auditor: await sign('auditor', 'audrey'),
  };
  const lifecycle = caller(servers['lifecycle-api']!.url);
  const reporting = caller(servers['reporting-api']!.url);
  const audit = caller(servers['audit-api']!.url);
  const projector = caller(servers['projector']!.url);

  await launchProgramme(lifecycle, people, 'tz-s', 5, clock.at);
  await projectInPromotion(lifecycle, people, 'tz-s', 's-1', CODES.lead, clock.at);
  clock.at('2019-10-10T02:00:00Z');
  const paid = await lifecycle('POST', '/v1/projects/s-1/contracts/c1/payments', {
    token: people.alice,
    body: { paymentId: 'pay-s', amount: 200_000_000, bankReference: 'SPLIT-0001', paidOn: '2019-10-08' },
  });
  t.equal(paid.status, 201);
  const position = String(paid.body.position);

  const reporter = await sign('reporter', 'report-job');
  const detail = await reporting('GET', `/v1/reporting/projects/s-1?minPosition=${encodeURIComponent(position)}`, { token: reporter });
  t.equal(detail.status, 200, `the reporting process sees the write once the projector process has it: ${JSON.stringify(detail.body).slice(0, 200)}`);
  t.match(detail.body.project, { projectId: 's-1', stage: 'promotion' });
  const ledgers = await reporting('GET', '/v1/reporting/subsidies/enterprises', { token: reporter });
  t.equal(ledgers.status, 200);
  t.match(JSON.stringify(ledgers.body), /10000000/, 'the R2 subsidy of 100,000 yuan is in the read model');

  const history = await audit('GET', '/v1/audit/projects/s-1/history', { token: people.auditor });
  t.equal(history.status, 200);
  t.ok(JSON.stringify(history.body).includes('R2PaymentAssessed'), "the audit process shows the ledger's assessment in the project's history");
  const verified = await audit('GET', '/v1/audit/verify', { token: people.auditor });
  t.equal(verified.body.ok, true, 'chains verify');

  const admin = await sign('admin', 'ops');
  const status = await projector('GET', '/v1/projections', { token: admin });
  t.equal(status.status, 200);
});
