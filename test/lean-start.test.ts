import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { descendants, environmentWithoutSettings, startEntry } from './support/process.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const skip = process.platform === 'linux' ? false : 'reads memory from /proc (Linux only)';

/** Resident memory of a process in MB, read from outside it. */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const commandLine = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
};

/**
 * As a user runs it: `pnpm start`'s launcher on the production defaults. The test runner's own
 * Node options (tap's TypeScript loader, V8 coverage) are taken out of the child's environment:
 * they are not what a user runs, and coverage alone holds tens of MB.
 */
function userEnvironment(): NodeJS.ProcessEnv {
  const env = environmentWithoutSettings();
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  for (const name of Object.keys(env)) if (name.startsWith('PGLITE_') || name.startsWith('TAP')) delete env[name];
  return env;
}

t.test('pnpm start runs compiled JavaScript in little memory, on a fresh data directory and on existing data', { skip, timeout: 300_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-lean-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const idle = () => new Promise((r) => setTimeout(r, 3000));

  const first = await startEntry('scripts/start.ts', { DATA_DIR: dataDir }, userEnvironment());
  t.teardown(() => first.stop());
  t.equal((await fetch(`${first.url}/healthz`)).status, 200);
  await idle();
  const freshMb = rssMb(first.child.pid!);
  t.ok(freshMb <= 300, `idle after a first start on a fresh data directory: ${Math.round(freshMb)} MB (≤ 300 MB; initdb's ~800 MB stayed in another process)`);
  t.ok(existsSync(join(dataDir, 'pglite', 'PG_VERSION')), 'the embedded data directory is initialised');
  t.same(readdirSync(dataDir).filter((n) => n.includes('.tmp-')), [], 'no temporary directory is left beside it');
  await first.stop();

  const again = await startEntry('scripts/start.ts', { DATA_DIR: dataDir, LOG_LEVEL: 'info' }, userEnvironment());
  t.teardown(() => again.stop());
  t.notMatch(again.output(), /compiled the servers/, 'a restart on unchanged sources compiles nothing');
  t.match(readFileSync(`/proc/${again.child.pid!}/cmdline`, 'utf8').split('\0').join(' '), /scripts\/launch\.mjs start/, 'the server is the launcher itself, no loader in between');
  t.same(
    descendants(again.child.pid!).map(commandLine).filter((c) => /esbuild|tsx/.test(c)),
    [],
    'no compiler runs beside it (tsx ran an esbuild service process for as long as the server ran)',
  );
  const events = await fetch(`${again.url}/readyz`);
  t.equal(events.status, 200, 'ready on the data the first start made');
  await idle();
  const restartMb = rssMb(again.child.pid!);
  t.ok(restartMb <= 300, `idle after a restart: ${Math.round(restartMb)} MB (≤ 300 MB)`);
  await again.stop();
});

t.test('the embedded start loads no PostgreSQL client, no Ajv and nothing a first request does not need', { timeout: 120_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-lean-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const file = join(dataDir, 'loaded.json');
  const server = await startEntry(
    'scripts/start.ts',
    { DATA_DIR: dataDir, NODE_OPTIONS: `--require ${join(root, 'test/support/loaded-packages.cjs')}`, LOADED_PACKAGES_FILE: file },
    userEnvironment(),
  );
  t.teardown(() => server.stop());
  t.equal((await fetch(`${server.url}/healthz`)).status, 200);
  await server.stop();
  const loaded = JSON.parse(readFileSync(file, 'utf8')) as string[];
  // Fastify and most packages are bundled (scripts/build.mjs); pino's thread-stream stays a CommonJS package of its own.
  t.ok(loaded.includes('thread-stream'), `the list is read (${loaded.length} packages)`);
  t.same(loaded.filter((name) => ['pg', 'ajv', '@fastify/ajv-compiler', '@fastify/fast-json-stringify-compiler'].includes(name)), [], 'none of pg, ajv and their compilers');
  // Loaded on first use: the CSV reader with the first import file; the docs' files with /docs
  // (served by platform's http/docs.ts, not @fastify/swagger-ui and @fastify/static).
  t.same(loaded.filter((name) => ['csv-parse', 'exceljs', '@fastify/static', '@fastify/swagger-ui', 'send', 'glob'].includes(name)), [], 'none of csv-parse, exceljs and a static file server');
});

t.test('the launcher names its entries and refuses others', async (t) => {
  const run = spawnSync(process.execPath, [join(root, 'scripts/launch.mjs'), 'nonsense'], { encoding: 'utf8', env: userEnvironment() });
  t.equal(run.status, 64);
  t.match(run.stderr, /unknown entry "nonsense"; one of: start, lifecycle-api, projector, reporting-api, audit-api, console/);
});

t.test('a stack trace through the bundle names the TypeScript sources, as the sources would', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-lean-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A data directory under a file: the first mkdir under it fails, and the error reaches Node's top level.
  writeFileSync(join(dir, 'file'), '');
  const run = spawnSync(process.execPath, [join(root, 'scripts/launch.mjs'), 'start'], {
    encoding: 'utf8',
    env: { ...userEnvironment(), DATA_DIR: join(dir, 'file', 'data'), PORT: '0' },
    timeout: 60_000,
  });
  t.not(run.status, 0, 'the start fails');
  const stack = run.stderr.slice(run.stderr.indexOf('ENOTDIR'));
  t.match(stack, /\n {4}at .*\/packages\/platform\/src\/runtime\/start-server\.ts:\d+:\d+/, `the frames in the bundle are shown at their TypeScript source:\n${stack}`);
  t.match(stack, /\n {4}at .*node:fs:\d+:\d+/, 'frames outside the bundle as V8 wrote them');
  t.notMatch(stack, /dist\/server\/[0-9a-f]{16}\//, 'no frame left at the bundle');
});
