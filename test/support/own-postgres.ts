import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL cluster of the test's own, in a temp dir on a free port, so a fault test may crash
 * it (`pg_ctl stop -m immediate`) without touching the shared cluster other tests use. initdb
 * refuses to run as root, so as root every PostgreSQL binary runs as the `postgres` OS user
 * (the uid/gid of a spawned child); otherwise as the current user.
 */
export interface OwnPostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** `pg_ctl stop -m immediate`: the postmaster and every backend die at once, as in a crash; the next start recovers from the WAL. */
  crash(): void;
  start(): void;
  /** Starts it unless it is running (after a test that failed while it was down). */
  ensureRunning(): void;
  /** The server log, for a failing assertion's message. */
  log(): string;
  /** Stops the cluster (if running) and removes its directory. Safe to call twice. */
  destroy(): void;
}

/** Why this machine cannot run an own cluster, or undefined when it can. */
export function ownPostgresUnavailable(): string | undefined {
  if (binDir() === undefined) return 'no PostgreSQL server binaries (initdb, pg_ctl) under /usr/lib/postgresql/*/bin or on PATH';
  if (process.getuid?.() === 0 && runAs() === undefined) return 'running as root and there is no `postgres` OS user to run initdb as';
  return undefined;
}

function binDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (newest !== undefined) return join(root, newest, 'bin');
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? found.replace(/\/initdb$/, '') : undefined;
}

function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  if (line === undefined) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startOwnPostgres(): Promise<OwnPostgres> {
  const bin = binDir();
  if (bin === undefined) throw new Error(ownPostgresUnavailable());
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-own-pg-'));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const run = (tool: string, args: string[]) =>
    execFileSync(join(bin, tool), args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000, ...(user ?? {}), env: { ...process.env, LC_ALL: 'C.UTF-8' } });
  let running = false;
  let destroyed = false;
  const port = await freePort();
  const destroy = () => {
    if (destroyed) return;
    destroyed = true;
    process.off('exit', destroy);
    if (running) spawnSync(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w'], { cwd: dir, stdio: 'ignore', ...(user ?? {}) });
    running = false;
    rmSync(dir, { recursive: true, force: true });
  };
  // Even when the test process dies on a timeout, the cluster does not outlive it.
  process.on('exit', destroy);
  try {
    run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  } catch (err) {
    destroy();
    throw new Error(`initdb failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}`);
  }
  // Its own port and socket directory; fsync off because only processes crash here, never the machine.
  const options = `-c port=${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c max_connections=60`;
  const start = () => {
    run('pg_ctl', ['start', '-D', data, '-l', logFile, '-w', '-t', '60', '-o', options]);
    running = true;
  };
  try {
    start();
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    destroy();
    throw new Error(`pg_ctl start failed: ${String((err as { stderr?: Buffer }).stderr ?? err)}\n${log}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    crash() {
      run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      running = false;
    },
    start,
    ensureRunning: () => {
      if (!running) start();
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    destroy,
  };
}
