import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { descendants } from './support/process.js';

/** Every live process below `pid`, from /proc (Linux). */

const alive = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
};

const portOpen = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const skip = process.platform === 'linux' ? false : 'reads the process tree from /proc (Linux only)';

/**
 * What a user does: `pnpm start &` in a shell, then `kill -TERM <the pid the shell gave>`. The
 * server must stop: the port closed and no process of the tree left behind (pnpm used to run
 * `sh -c tsx …`, which left tsx and node orphaned and listening).
 */
t.test('pnpm start in the background stops on a SIGTERM to the pid the shell gives', { skip, timeout: 240_000 }, async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-stop-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const log = join(dataDir, 'start.log');
  const shell = spawnSync('/bin/sh', ['-c', 'pnpm start > "$START_LOG" 2>&1 & echo $!'], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', START_LOG: log },
    encoding: 'utf8',
  });
  const pid = Number(shell.stdout.trim());
  t.ok(pid > 0, `the shell gave pid ${pid}`);
  let tree: number[] = [];
  t.teardown(() => {
    for (const p of [pid, ...tree]) if (alive(p)) process.kill(p, 'SIGKILL');
  });
  const output = () => {
    try {
      return readFileSync(log, 'utf8').slice(-2000);
    } catch {
      return '';
    }
  };

  // The embedded default starts PGlite, which may take a while on a busy machine.
  const started = Date.now();
  while (!(await portOpen(port)) && alive(pid) && Date.now() - started < 180_000) await new Promise((r) => setTimeout(r, 250));
  t.ok(await portOpen(port), `the server listens on ${port}: ${output()}`);
  tree = descendants(pid);
  t.ok(tree.length > 0, `pnpm runs the server below it (${tree.length} processes)`);

  process.kill(pid, 'SIGTERM');
  const sent = Date.now();
  while ((alive(pid) || tree.some(alive) || (await portOpen(port))) && Date.now() - sent < 20_000) await new Promise((r) => setTimeout(r, 100));
  t.notOk(await portOpen(port), 'the port is closed');
  t.same([pid, ...tree].filter(alive), [], `no process of the tree remains: ${output()}`);
  t.comment(`stopped ${Date.now() - sent} ms after the SIGTERM`);
});
