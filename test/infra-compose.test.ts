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

t.test('split mode serves the web console: its own container, routed everything the API does not answer', async (t) => {
  const consoleSvc = compose.services.console as (typeof services)[number][1] & { command?: string[]; depends_on?: unknown; networks?: string[] };
  t.ok(consoleSvc, 'compose.yaml has a console service');
  t.same(consoleSvc.command, ['pnpm', '--filter', '@gongguan/console', 'start'], 'it runs services/console/src/server.ts');
  t.same(consoleSvc.networks, ['backend'], 'on the backend network, behind the proxy');
  t.same(mounts(consoleSvc), [], 'it mounts nothing: no certificates, no keys, no data');
  t.same(secretsOf(consoleSvc), [], 'and holds no secret');
  t.notOk(JSON.stringify(consoleSvc).includes('EVENTSTORE_URL'), 'it has no event store');
  const env = Object.assign({}, ...(consoleSvc.env_file ?? []).map(envFile)) as Record<string, string>;
  t.equal(env.PORT, '3005', 'it listens on 3005');
  t.equal(env.CONSOLE_BUILD, 'off', 'it serves the assets built into the image and never builds at start');
  t.equal(env.GONGGUAN_ENV, 'production', 'production: no development sign-in');
  t.match(env.OIDC_ISSUER ?? '', /^https:\/\//, 'it signs people in with an https OpenID issuer');
  t.ok(env.OIDC_CLIENT_ID, 'as a client of it');
  t.ok(env.JWKS_URL || env.JWKS_FILE, 'with the keys the API checks tokens against');
  const dockerfile = readFileSync(infra('Dockerfile'), 'utf8');
  t.match(dockerfile, /COPY services\/console\/package\.json/, 'the image installs the console’s dependencies');
  t.match(dockerfile, /RUN pnpm build\n/, 'and builds its assets (`pnpm build`: the servers, then the console)');
  const rootPackage = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string> };
  t.match(rootPackage.scripts.build ?? '', /node scripts\/build\.mjs && pnpm --filter @gongguan\/console build/, '`pnpm build` compiles the servers and builds the console');
  t.match(dockerfile, /ENV GONGGUAN_BUILD=off/, 'its containers run what the image compiled and compile nothing');
  t.match(readFileSync(new URL('../.dockerignore', import.meta.url), 'utf8'), /node_modules/, 'the build context leaves the working copy’s node_modules out');

  // The Caddyfile: which upstream answers a path (the first `handle` whose matcher takes it, as Caddy orders them here: named matchers in file order, the bare `handle` last).
  const caddy = readFileSync(infra('Caddyfile'), 'utf8');
  const matchers = new Map([...caddy.matchAll(/^\s*@(\w+) path (.+)$/gm)].map((m) => [m[1]!, m[2]!.trim().split(/\s+/)]));
  const handles = [...caddy.matchAll(/^\s*handle(?: (\S+))? \{\n([\s\S]*?)^\t\}/gm)].map((m) => ({ matcher: m[1], upstream: /reverse_proxy (?:([^\s{]+)|\{[\s\S]*?dynamic a (\S+) (\d+))/.exec(m[2]!) }));
  const upstreamOf = (path: string): string | undefined => {
    const hit = handles.find((h) => {
      if (h.matcher === undefined) return true;
      const patterns = h.matcher.startsWith('@') ? (matchers.get(h.matcher.slice(1)) ?? []) : [h.matcher];
      return patterns.some((p) => (p.endsWith('*') ? path.startsWith(p.slice(0, -1)) : path === p));
    });
    if (!hit?.upstream) return undefined;
    return hit.upstream[1] ?? `${hit.upstream[2]}:${hit.upstream[3]}`;
  };
  t.equal(handles.at(-1)?.matcher, undefined, 'the last handle takes everything left');
  for (const path of ['/', '/index.html', '/assets/index-abc123.js', '/console/config.json', '/favicon.svg']) t.equal(upstreamOf(path), 'console:3005', `${path} → the console`);
  for (const path of ['/v1', '/v1/projects', '/v1/projects/p-1/task-book', '/openapi.json', '/docs', '/docs/static/index.html', '/healthz', '/readyz']) t.equal(upstreamOf(path), 'lifecycle-api:3001', `${path} → lifecycle-api`);
  t.equal(upstreamOf('/v1/reporting/projects'), 'reporting-api:3003', '/v1/reporting/* → reporting-api');
  t.equal(upstreamOf('/v1/audit/projects/p-1'), 'audit-api:3004', '/v1/audit/* → audit-api');
  t.equal(upstreamOf('/v1/projections'), 'projector:3002', '/v1/projections → the projector');
  const proxy = compose.services.proxy as { depends_on?: string[] };
  t.ok(proxy.depends_on?.includes('console'), 'the proxy starts after the console');
});
