import { readFileSync } from 'node:fs';
import t from 'tap';
import { parse } from 'yaml';

/** compose.yaml as Compose reads it (`<<:` merges applied), and the env files it names. */
const infra = (path: string) => new URL(`../infra/${path}`, import.meta.url);
const compose = parse(readFileSync(infra('compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, { volumes?: Array<string | { source?: string; target?: string }>; secrets?: Array<string | { source: string }>; env_file?: string[]; environment?: Record<string, string> }>;
  secrets?: Record<string, { file: string }>;
  volumes?: Record<string, unknown>;
};
const envFile = (path: string): Record<string, string> =>
  Object.fromEntries(
    readFileSync(infra(path), 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );

const services = Object.entries(compose.services);
const mounts = (svc: (typeof services)[number][1]) =>
  (svc.volumes ?? []).map((v) => (typeof v === 'string' ? { source: v.split(':')[0] ?? '', target: v.split(':')[1] ?? '' } : { source: v.source ?? '', target: v.target ?? '' }));
const secretsOf = (svc: (typeof services)[number][1]) => (svc.secrets ?? []).map((s) => (typeof s === 'string' ? s : s.source));

t.test('the tree-head signing key reaches audit-api and nothing else', async (t) => {
  const signingSecrets = Object.entries(compose.secrets ?? {}).filter(([, s]) => /tree-head-signing/.test(s.file)).map(([name]) => name);
  t.same(signingSecrets, ['tree-head-signing-key'], 'one compose secret holds it');
  for (const [name, svc] of services) {
    const holds = secretsOf(svc).some((s) => signingSecrets.includes(s)) || mounts(svc).some((m) => /secrets|tree-head|\.pem$/.test(m.source));
    t.equal(holds, name === 'audit-api', `${name} ${name === 'audit-api' ? 'holds' : 'does not hold'} the signing key`);
  }
});

t.test('no container but the one-shot certs job mounts the CA key', async (t) => {
  const withCaKey = services.filter(([, svc]) => mounts(svc).some((m) => m.source === 'ca-private' || m.source === 'certs' || /ca\.key/.test(m.source)));
  t.same(withCaKey.map(([name]) => name), ['certs']);
  for (const name of ['kurrentdb-1', 'kurrentdb-2', 'kurrentdb-3', 'lifecycle-api', 'projector', 'audit-api']) {
    t.ok(mounts(compose.services[name]!).some((m) => m.source === 'ca-public'), `${name} trusts the cluster through the CA certificate alone`);
  }
  for (const name of ['lifecycle-api', 'projector', 'audit-api']) {
    const own = mounts(compose.services[name]!).filter((m) => /-certs$/.test(m.source)).map((m) => m.source);
    t.same(own, [`${name}-certs`], `${name} mounts its own client certificate and no other`);
  }
});

t.test('no service connects to PostgreSQL as the superuser', async (t) => {
  const superuser = envFile('env/postgres.env').POSTGRES_USER;
  t.equal(superuser, 'postgres');
  const roles = readFileSync(infra('postgres/roles.sql'), 'utf8');
  const expected: Record<string, string> = {
    migrate: 'gongguan_owner', 'lifecycle-api': 'gongguan_lifecycle', projector: 'gongguan_projector', 'reporting-api': 'gongguan_reporting', 'audit-api': 'gongguan_audit',
  };
  for (const [name, svc] of services) {
    const fromFiles = (svc.env_file ?? []).filter((f) => f !== '.env').map(envFile);
    const urls = [...fromFiles.map((e) => e.DATABASE_URL), svc.environment?.DATABASE_URL].filter((u): u is string => u !== undefined);
    if (name === 'postgres') continue;
    t.notOk((svc.env_file ?? []).includes('.env'), `${name} does not read .env (every password)`);
    if (!(name in expected)) {
      t.same(urls, [], `${name} has no database`);
      continue;
    }
    t.equal(urls.length, 1, `${name} has one DATABASE_URL`);
    const user = new URL(urls[0]!.replace(/\$\{[^}]+\}/g, 'x')).username;
    t.not(user, superuser, `${name} is not the superuser`);
    t.equal(user, expected[name], `${name} logs in as ${expected[name]}`);
    t.match(roles, new RegExp(`\\['${user}', 'login'\\]`), `roles.sql creates ${user} as a login`);
  }
  t.match(roles, /nosuperuser/, 'every role roles.sql creates is nosuperuser');
  t.match(envFile('env/secrets.env.example').DATABASE_URL ?? '', /^$/, 'the example .env names no shared DATABASE_URL');
});
