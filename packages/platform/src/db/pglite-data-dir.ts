import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';

const require = createRequire(import.meta.url);
const PGLITE_ENTRY = require.resolve('@electric-sql/pglite');

/** The installed PGlite's version: a template is only ever copied into the PGlite that made it. */
export function pgliteVersion(): string {
  const marker = `${join('node_modules', '@electric-sql', 'pglite')}`;
  const at = PGLITE_ENTRY.lastIndexOf(marker);
  const pkg = at >= 0 ? join(PGLITE_ENTRY.slice(0, at + marker.length), 'package.json') : join(dirname(PGLITE_ENTRY), '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}

const isDataDir = (dir: string) => existsSync(join(dir, 'PG_VERSION'));

/** A script for `node -e`: initdb into the directory named by GONGGUAN_INITDB_DIR, then close. */
const INITDB_SCRIPT = `const { PGlite } = require(process.env.GONGGUAN_PGLITE_ENTRY);
PGlite.create(process.env.GONGGUAN_INITDB_DIR).then((db) => db.close()).catch((err) => { console.error(err); process.exit(1); });`;

/** initdb into `dir` (which must not exist) in a child process: its memory goes back when it exits. */
async function initdbInChild(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', INITDB_SCRIPT], {
      env: { ...process.env, GONGGUAN_PGLITE_ENTRY: PGLITE_ENTRY, GONGGUAN_INITDB_DIR: dir, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0 || !isDataDir(dir)) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb of the embedded database failed (exit ${code}): ${Buffer.concat(stderr).toString('utf8').trim().slice(-2000)}`);
  }
}

/** Makes `target` by building it beside itself and renaming it into place; whoever renames first wins. */
async function atomically(target: string, make: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${target}.tmp-${process.pid}-${Date.now()}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    await make(tmp);
    if (isDataDir(target)) return;
    // An empty directory (made by an earlier version, or by hand) gives way to the new one.
    if (existsSync(target) && readdirSync(target).length === 0) rmdirSync(target);
    renameSync(tmp, target);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The template of this PGlite in `cache`, made first when missing; undefined when the cache cannot be written (a read-only image, a path through a file). */
async function ensureTemplate(cache: string, logger: Logger | undefined): Promise<string | undefined> {
  const template = join(cache, `pglite-${pgliteVersion()}`);
  if (isDataDir(template)) return template;
  try {
    mkdirSync(cache, { recursive: true });
    logger?.info({ template }, 'creating the embedded database template (initdb in a child process, once per PGlite version)');
    await atomically(template, initdbInChild);
    return template;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EACCES' && code !== 'EROFS' && code !== 'EPERM' && code !== 'ENOTDIR') throw err;
    logger?.warn({ template, code }, 'the template cache cannot be written: initdb runs into the data directory itself');
    return undefined;
  }
}

export interface PrepareOptions {
  /** A directory of templates, one per PGlite version (`pglite-<version>`), created on first need. */
  templateCache?: string;
  logger?: Logger;
}

/**
 * Makes `dataDir` an initialised PostgreSQL data directory if it is not one yet: a copy of the
 * template for this PGlite (made once, by initdb in a child process), or, without a template
 * cache, initdb in a child process straight into it. Either way it appears by one rename, so a
 * start killed half-way leaves no half-made database behind. A directory with other files in it
 * and no PG_VERSION is left to PGlite, as before.
 */
export async function prepareDataDir(dataDir: string, options: PrepareOptions = {}): Promise<void> {
  if (isDataDir(dataDir)) return;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) return;
  mkdirSync(dirname(dataDir), { recursive: true });
  const started = performance.now();
  const template = options.templateCache === undefined ? undefined : await ensureTemplate(options.templateCache, options.logger);
  if (template !== undefined) {
    await atomically(dataDir, async (tmp) => {
      cpSync(template, tmp, { recursive: true });
    });
    options.logger?.info({ dataDir, template, ms: Math.round(performance.now() - started) }, 'created the embedded database from its template');
    return;
  }
  options.logger?.info({ dataDir }, 'creating the embedded database (initdb in a child process)');
  await atomically(dataDir, initdbInChild);
  options.logger?.info({ dataDir, ms: Math.round(performance.now() - started) }, 'created the embedded database');
}
