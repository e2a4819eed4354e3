import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import t from 'tap';
import { ensureDevKeys, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { caller } from './support/api.js';
import { startEntry, type ChildServer } from './support/process.js';
import { CODES, clockFile, launchProgramme, projectInPromotion, type Cast } from './support/story.js';

const skip = process.env.TEST_DATABASE_URL ? false : 'roles need PostgreSQL: TEST_DATABASE_URL not set';
if (skip) t.comment(skip);

const ROLES_SQL = readFileSync(new URL('../infra/postgres/roles.sql', import.meta.url), 'utf8');
const SERVICE_ROLES = {
  'lifecycle-api': 'gongguan_lifecycle',
  projector: 'gongguan_projector',
  'reporting-api': 'gongguan_reporting',
  'audit-api': 'gongguan_audit',
} as const;

/** The test database's URL with another user (the shared test cluster trusts local logins). */
const as = (url: string, user: string) => {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
};

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function runMigrateJob(databaseUrl: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/migrate.ts'], { env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

t.test('the services run as non-superuser roles with only the grants they need', { skip }, async (t) => {
  const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
  t.teardown(() => db.drop());
  const superUrl = db.url!;
  await withClient(superUrl, (c) => c.query(ROLES_SQL));

  const job = await runMigrateJob(as(superUrl, 'gongguan_owner'));
  t.equal(job.code, 0, `pnpm migrate as gongguan_owner: ${job.output.slice(0, 500)}`);
  const owners = await withClient(superUrl, (c) =>
    c.query<{ owner: string }>(`select distinct tableowner as owner from pg_tables where schemaname in ('event_store', 'lifecycle', 'audit', 'projector', 'public')`),
  );
  t.same(owners.rows.map((r) => r.owner), ['gongguan_owner'], 'the owner role owns every migrated table');

  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-roles-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const keys = await ensureDevKeys(dataDir);
  const key = readPrivateJwk(keys.privateJwk);
  // The projects' calendar runs on a business clock the test moves, not on today's date.
  const clock = clockFile(dataDir);
  const env: NodeJS.ProcessEnv = {
    DATA_DIR: dataDir, JWKS_FILE: keys.jwks, RATE_LIMIT_COMMANDS_PER_MINUTE: '0', AUDIT_SEAL_INTERVAL_MS: '0', LOG_LEVEL: 'warn', BUSINESS_CLOCK_FILE: clock.path,
  };
  const servers: Partial<Record<keyof typeof SERVICE_ROLES, ChildServer>> = {};
  // The projector first: it creates the read-model generations and views that reporting-api reads.
  for (const name of ['lifecycle-api', 'projector', 'reporting-api', 'audit-api'] as const) {
    const server = await startEntry(`services/${name}/src/server.ts`, { ...env, DATABASE_URL: as(superUrl, SERVICE_ROLES[name]) });
    servers[name] = server;
    t.teardown(() => server.stop());
  }
  const sign = (role: Role, sub: string) => signToken(key, { subject: sub, roles: [role] });
  const people: Cast = {
    alice: await sign('officer', 'alice'), bob: await sign('officer', 'bob'), chen: await sign('reviewer', 'expert-chen'), ann: await sign('approver', 'ann'),
    fay: await sign('finance', 'fay'), gus: await sign('finance', 'gus'), auditor: await sign('auditor', 'audrey'),
  };
  const admin = await sign('admin', 'ops');
  const reporter = await sign('reporter', 'report-job');
  const lifecycle = caller(servers['lifecycle-api']!.url);
  const reporting = caller(servers['reporting-api']!.url);
  const audit = caller(servers['audit-api']!.url);
  const projector = caller(servers.projector!.url);

  t.test('lifecycle-api appends events, idempotency keys and checkpoints', async (t) => {
    await launchProgramme(lifecycle, people, 'tz-r', 5, clock.at);
    await projectInPromotion(lifecycle, people, 'tz-r', 'r-1', CODES.lead, clock.at);
    const keyed = () =>
      lifecycle('POST', '/v1/programmes', {
        token: people.alice,
        body: { programmeId: 'tz-r2', name: 'Roles', bureau: 'Bureau', quota: 5 },
        headers: { 'idempotency-key': 'roles-1' },
      });
    const created = await keyed();
    t.equal(created.status, 201, JSON.stringify(created.body).slice(0, 300));
    t.equal((await keyed()).headers.get('idempotent-replayed'), 'true', 'the key was stored and its answer replayed');
    const project = await lifecycle('GET', '/v1/projects/r-1', { token: people.alice });
    t.match(project.body.state, { stage: 'promotion' });
  });

  t.test('the projector writes the read models and reporting-api reads them through the views', async (t) => {
    const position = String((await lifecycle('GET', '/v1/projects/r-1', { token: people.alice })).headers.get('x-position') ?? '');
    const detail = await reporting('GET', `/v1/reporting/projects/r-1${position ? `?minPosition=${encodeURIComponent(position)}` : ''}`, { token: reporter });
    t.equal(detail.status, 200, JSON.stringify(detail.body).slice(0, 300));
    t.match(detail.body.project, { projectId: 'r-1', stage: 'promotion' });
    const list = await reporting('GET', '/v1/reporting/projects', { token: reporter });
    t.equal(list.status, 200, 'a reporting view');
  });

  t.test('a rebuild makes new generations the reporting role can read', async (t) => {
    const started = await projector('POST', '/v1/projections/rebuild', { token: admin, body: {} });
    t.equal(started.status, 202, JSON.stringify(started.body).slice(0, 300));
    const deadline = Date.now() + 30_000;
    let generations: number[] = [];
    while (Date.now() < deadline) {
      const { rows } = await withClient(superUrl, (c) => c.query<{ generation: number; status: string }>('select generation, status from projector.projections'));
      generations = rows.map((r) => r.generation);
      if (rows.length > 0 && rows.every((r) => r.generation > 1 && r.status === 'live')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const swapped = generations.length > 0 && generations.every((g) => g > 1);
    t.ok(swapped, `every projection swapped to a new generation (${generations.join(', ')})`);
    if (!swapped) t.comment(JSON.stringify((await projector('GET', '/v1/projections', { token: admin })).body), servers.projector!.output().slice(-2000));
    const detail = await reporting('GET', '/v1/reporting/projects/r-1', { token: reporter });
    t.equal(detail.status, 200, JSON.stringify(detail.body).slice(0, 300));
    const schemaOwners = await withClient(superUrl, (c) =>
      c.query<{ owner: string }>(`select distinct pg_get_userbyid(nspowner) as owner from pg_namespace where nspname like 'proj\\_%'`),
    );
    t.same(schemaOwners.rows.map((r) => r.owner), ['gongguan_projector']);
  });

  // After the rebuild: until the projector knows TreeHeadSealed (issue 16, finding 1) a sealed head stops it.
  t.test('audit-api reads the log and appends a sealed tree head', async (t) => {
    const sealed = await audit('POST', '/v1/audit/tree-heads', { token: admin, body: {} });
    t.equal(sealed.status, 201, JSON.stringify(sealed.body).slice(0, 300));
    const verified = await audit('GET', '/v1/audit/verify', { token: people.auditor });
    t.equal(verified.body.ok, true, 'chains verify');
  });

  t.test('no service role is a superuser, and none can change events or the schema', async (t) => {
    for (const role of Object.values(SERVICE_ROLES)) {
      await withClient(as(superUrl, role), async (c) => {
        const me = await c.query<{ user: string; super: boolean }>('select current_user as user, rolsuper as super from pg_roles where rolname = current_user');
        t.same(me.rows[0], { user: role, super: false }, `${role} logs in as itself, not a superuser`);
        await t.rejects(c.query(`update event_store.events set type = 'X'`), /permission denied/, `${role}: UPDATE of events is refused`);
        await t.rejects(c.query('delete from event_store.events'), /permission denied/, `${role}: DELETE of events is refused`);
        await t.rejects(c.query('truncate event_store.events'), /permission denied/, `${role}: TRUNCATE of events is refused`);
        await t.rejects(c.query('create table public.sneaky (x int)'), /permission denied/, `${role}: no tables in public`);
        await t.rejects(c.query(`insert into gongguan_migrations (component, version, name, checksum) values ('x', 1, 'x', 'x')`), /permission denied/, `${role}: no forged migration records`);
        await t.rejects(c.query('alter table event_store.events disable trigger events_no_update_or_delete'), /must be owner/, `${role}: cannot disable the append-only trigger`);
      });
    }
    await withClient(as(superUrl, 'gongguan_reporting'), async (c) => {
      await t.rejects(
        c.query(`insert into lifecycle.idempotency_keys select * from lifecycle.idempotency_keys limit 0`),
        /permission denied/,
        'reporting-api only reads',
      );
      // Row-level security (issue 18): the role itself is mapped to no bureau; it reads as gongguan_scoped with the caller's bureau path.
      const { rows: unscoped } = await c.query<{ n: number }>('select count(*)::int as n from reporting.projects');
      t.equal(unscoped[0]?.n, 0, 'as itself it sees no rows');
      await c.query(`select set_config('gongguan.bureau_path', '330000.331000', false), set_config('role', 'gongguan_scoped', false)`);
      const { rows } = await c.query<{ n: number }>('select count(*)::int as n from reporting.projects');
      t.ok((rows[0]?.n ?? 0) >= 1, 'and reads the reporting views as gongguan_scoped within a bureau');
    });
  });
});
