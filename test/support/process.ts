import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Node's arguments for a server entry as `pnpm start` and each service's `start` run it: the
 * compiled bundle through scripts/launch.mjs (`scripts/start.ts` → `launch.mjs start`,
 * `services/<name>/src/server.ts` → `launch.mjs <name>`), never the TypeScript through tsx.
 */
export function launchArgs(entry: string): string[] {
  const path = relative(root, isAbsolute(entry) ? entry : join(root, entry)).split('\\').join('/');
  const service = /^services\/([a-z-]+)\/src\/server\.ts$/.exec(path)?.[1];
  const name = path === 'scripts/start.ts' ? 'start' : service;
  if (!name) throw new Error(`not a server entry: ${entry}`);
  return [join(root, 'scripts/launch.mjs'), name];
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown hooks, no flushing — a crash. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `pnpm start`'s entry as a real process and waits for its banner. */
export function startAllInOne(env: NodeJS.ProcessEnv): Promise<ChildServer> {
  return startEntry('scripts/start.ts', env);
}

/**
 * The test runner's environment without any Gongguan setting (`GONGGUAN_ENV`, `AUDIT_*`,
 * `DATABASE_URL`, …): a child started on it runs on the production defaults, as `pnpm start` does.
 */
export function environmentWithoutSettings(): NodeJS.ProcessEnv {
  const settings = /^(GONGGUAN_|AUDIT_|RATE_LIMIT_|REPORTING_|PROJECTOR_|AGGREGATE_|IDEMPOTENCY_|LIFECYCLE_|DATABASE_|EVENTSTORE_|EVENT_STORE_|JWKS_|JWT_|HEAP_|SHUTDOWN_|REQUEST_|BODY_|DATA_DIR$|HOST$|PORT$|LOG_LEVEL$|SERVICE_NAME$)/;
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !settings.test(name)));
}

/** Starts a server entry (`services/<name>/src/server.ts`, `scripts/start.ts`) as its own process, on `base` (default: this process's environment) and `env`. */
export async function startEntry(entry: string, env: NodeJS.ProcessEnv, base: NodeJS.ProcessEnv = process.env): Promise<ChildServer> {
  const child = spawn(process.execPath, launchArgs(entry), {
    env: { ...base, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner within 90 s:\n${out}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Every live process below `pid` (Linux: read from /proc), children before grandchildren. */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing parenthesis.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] !== 'Z') parents.set(Number(name), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, ppid] of parents) {
      if (ppid !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}
