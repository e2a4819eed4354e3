import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@gongguan/platform';

/** The console package's own directory. */
export const consoleRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
export const defaultDistDir = join(consoleRoot, 'dist');
const STAMP = '.source-hash';

function listFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) listFiles(path, out);
    else out.push(path);
  }
  return out;
}

/** SHA-256 over every input of the build: the web sources, the page, the build configuration and the locked versions. */
export function sourceHash(root = consoleRoot): string {
  const hash = createHash('sha256');
  const inputs = [...listFiles(join(root, 'src', 'web')), join(root, 'index.html'), join(root, 'vite.config.ts'), join(root, 'package.json')].sort();
  for (const file of inputs) {
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Whether `dist` holds a build of the current sources. */
export function isBuilt(distDir = defaultDistDir): boolean {
  const stamp = join(distDir, STAMP);
  return existsSync(join(distDir, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === sourceHash();
}

const LOCK_STALE_MS = 10 * 60_000;

/**
 * Builds the console into `distDir` unless it is current. One process builds at a time (a lock
 * directory beside dist); the others wait for it. The build goes to a temporary directory that
 * replaces dist in one rename, so a server never serves half a build.
 */
export async function ensureBuilt(options: { distDir?: string; logger?: Pick<Logger, 'info' | 'warn' | 'error'> } = {}): Promise<void> {
  const distDir = options.distDir ?? defaultDistDir;
  const log = options.logger;
  if (isBuilt(distDir)) return;
  const lock = `${distDir}.lock`;
  mkdirSync(dirname(distDir), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      await new Promise((r) => setTimeout(r, 500));
      if (isBuilt(distDir)) return;
    }
  }
  try {
    if (isBuilt(distDir)) return;
    const hash = sourceHash();
    const tmp = `${distDir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    log?.info({ component: 'console', out: distDir }, 'building the console (vite); the API answers meanwhile');
    const started = Date.now();
    await runVite(tmp, log);
    writeFileSync(join(tmp, STAMP), `${hash}\n`);
    rmSync(distDir, { recursive: true, force: true });
    renameSync(tmp, distDir);
    log?.info({ component: 'console', ms: Date.now() - started }, 'console built');
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function runVite(outDir: string, log?: Pick<Logger, 'info' | 'warn' | 'error'>): Promise<void> {
  const viteBin = join(consoleRoot, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(viteBin)) {
    return Promise.reject(new Error(`vite is not installed (${viteBin}): run pnpm install first`));
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [viteBin, 'build', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: consoleRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const progress = setInterval(() => log?.info({ component: 'console' }, 'still building the console'), 10_000);
    child.on('error', (err) => {
      clearInterval(progress);
      reject(err);
    });
    child.on('exit', (code) => {
      clearInterval(progress);
      if (code === 0) resolve();
      else reject(new Error(`vite build exited with ${code}: ${output.trim().split('\n').slice(-20).join('\n')}`));
    });
  });
}
