/**
 * The servers' start path as compiled JavaScript: each entry below bundled by esbuild into
 * `dist/server/<key>/<name>.mjs`, where <key> is a SHA-256 of every input (sources, migrations,
 * manifests, the lockfile, this file). `pnpm start` (scripts/launch.mjs) builds only when the key
 * changed, so a start on unchanged sources compiles nothing: it imports the bundle.
 *
 * What is bundled: the workspace's own TypeScript (`@gongguan/*` and the entry's files) and the
 * packages from node_modules, but those in KEEP_EXTERNAL below, which are imported by a relative
 * path to the file Node itself would load (resolved by esbuild with Node's conditions), so such a
 * package reads its own files (PGlite's WebAssembly) where it always did.
 * `import.meta.url` in our sources is rewritten to the URL of the source file it was written in,
 * so paths relative to it (the migrations, the console's dist) are those the sources meant.
 *
 * Plain JavaScript, so it runs before anything is compiled:
 *   node scripts/build.mjs            build when the key changed, print the directory
 *   node scripts/build.mjs --force    build again
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** The start entries: the all-in-one and each service alone. */
export const entries = {
  start: 'scripts/start.ts',
  'lifecycle-api': 'services/lifecycle-api/src/server.ts',
  projector: 'services/projector/src/server.ts',
  'reporting-api': 'services/reporting-api/src/server.ts',
  'audit-api': 'services/audit-api/src/server.ts',
  console: 'services/console/src/server.ts',
};

const SOURCE = /\.(ts|mts|sql|json|mjs)$/;

function workspaceDirs() {
  const dirs = [];
  for (const group of ['packages', 'services']) {
    for (const name of readdirSync(join(root, group)).sort()) {
      const dir = join(root, group, name);
      if (existsSync(join(dir, 'package.json'))) dirs.push(dir);
    }
  }
  return dirs;
}

function walk(dir, out, skip) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (skip(path)) continue;
    if (entry.isDirectory()) walk(path, out, skip);
    else if (SOURCE.test(entry.name)) out.push(path);
  }
}

/** Every file whose change changes a bundle or the embedded template: sorted, repository-relative. */
export function inputFiles() {
  const files = [];
  const web = join(root, 'services/console/src/web');
  const skip = (path) => path === web || path.includes(`${sep}node_modules`);
  for (const dir of workspaceDirs()) {
    files.push(join(dir, 'package.json'));
    walk(join(dir, 'src'), files, skip);
    walk(join(dir, 'migrations'), files, skip);
  }
  for (const name of readdirSync(join(root, 'scripts')).sort()) {
    if (/\.(ts|mjs)$/.test(name)) files.push(join(root, 'scripts', name));
  }
  for (const name of ['package.json', 'pnpm-lock.yaml', 'tsconfig.base.json']) files.push(join(root, name));
  return files.map((f) => relative(root, f).split(sep).join('/')).sort();
}

/** SHA-256 over the inputs' names and contents, and the Node major version (its conditions and target). */
export function buildKey() {
  const hash = createHash('sha256');
  hash.update(`node ${process.versions.node.split('.')[0]}\n`);
  for (const file of inputFiles()) {
    hash.update(`${file}\n`);
    hash.update(readFileSync(join(root, file)));
    hash.update('\n');
  }
  return hash.digest('hex').slice(0, 16);
}

export const serverDir = (key) => join(root, 'dist/server', key);

function posix(path) {
  return path.split(sep).join('/');
}

/** `import.meta.url` of our sources → the source file's URL, computed from the bundle's own. */
function sourceUrlPlugin(outdir) {
  return {
    name: 'gongguan-source-url',
    setup(build) {
      build.onLoad({ filter: /\.(ts|mts)$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        let rel = posix(relative(outdir, args.path));
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`), loader: 'ts' };
      });
    },
  };
}

/**
 * Packages that stay outside the bundle, imported by a relative path to the file Node would load:
 * those that read their own files (PGlite's WebAssembly and data, thread-stream's worker), those
 * loaded only on demand (exceljs, pg, the EventStoreDB client, csv-parse; Ajv and Fastify's
 * compilers, which Fastify requires only when asked and we never ask, so a start neither parses
 * them nor, as test/lean-start checks, loads them) and swagger-ui-dist's
 * assets. Every other package is bundled: one file to read and parse instead of hundreds to
 * resolve, ~100 ms of a start on the machine of BENCHMARKS.md.
 */
const KEEP_EXTERNAL =
  /^(@electric-sql\/pglite|exceljs|@eventstore\/db-client|pg|pg-[a-z-]+|csv-parse|swagger-ui-dist|thread-stream|esbuild|ajv|ajv-formats|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler)($|\/)/;

/**
 * zod's `locales` namespace (`z.locales`, `z.core.locales`) with English and Simplified Chinese
 * only, not its ~50 languages: esbuild cannot drop the unused ones from a namespace object, and
 * they were ~350 kB of the bundle parsed at every start. zod registers English itself, from
 * `locales/en.js`; nothing here calls `z.config(z.locales.…())`.
 */
function zodLocalesPlugin() {
  return {
    name: 'gongguan-zod-locales',
    setup(build) {
      build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]zod[\\/]v4[\\/]/.test(args.importer)) return undefined;
        return { path: join(dirname(args.importer), '../locales/index.js'), namespace: 'gongguan-zod-locales' };
      });
      build.onLoad({ filter: /.*/, namespace: 'gongguan-zod-locales' }, (args) => ({
        contents: 'export { default as en } from "./en.js";\nexport { default as zhCN } from "./zh-CN.js";\n',
        resolveDir: dirname(args.path),
        loader: 'js',
      }));
    },
  };
}

/** Packages that stay external are imported by a relative path to the file Node would load. */
function externalPackagesPlugin(outdir) {
  return {
    name: 'gongguan-external-packages',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.inner) return undefined;
        if (isBuiltin(args.path)) return { path: args.path, external: true };
        if (args.path.startsWith('@gongguan/')) return undefined;
        if (!KEEP_EXTERNAL.test(args.path)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        let rel = posix(relative(outdir, resolved.path));
        if (!rel.startsWith('.')) rel = `./${rel}`;
        return { path: rel, external: true };
      });
    },
  };
}

/** Bundles every entry into a temporary directory beside `dir`, then renames it into place. */
async function bundle(dir, log) {
  const { build, stop } = await import('esbuild');
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const started = performance.now();
  try {
    // Relative paths are computed against the final directory: the same depth as tmp, beside it.
    const result = await build({
      absWorkingDir: root,
      entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(root, file)])),
      outdir: tmp,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Shared code and modules loaded on demand (the EventStoreDB adapter) in chunks beside the
      // entries: in the same directory, since the relative paths above are computed from it.
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Node's own resolution: no "module" field or condition that Node would not use.
      mainFields: ['main'],
      conditions: [],
      // No keepNames: esbuild renames only the few identifiers that collide across modules, none of
      // whose names anything reads, and keeping them cost a defineProperty per function and class
      // at every start (~3,500 of them, ~40 ms of a start on the machine of BENCHMARKS.md).
      keepNames: false,
      sourcemap: 'linked',
      sourcesContent: false,
      legalComments: 'none',
      logLevel: 'warning',
      metafile: true,
      plugins: [externalPackagesPlugin(dir), sourceUrlPlugin(dir), zodLocalesPlugin()],
      // The bundled CommonJS packages call require() for Node's built-ins: an ESM bundle has none of its own.
      banner: { js: "// Built by scripts/build.mjs from the TypeScript sources: edit those, not this.\nimport { createRequire as __gongguanCreateRequire } from 'node:module';\nconst require = __gongguanCreateRequire(import.meta.url);" },
    });
    writeFileSync(join(tmp, 'inputs.json'), `${JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 1)}\n`);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  } finally {
    await stop();
  }
  if (existsSync(dir)) {
    // Another start built the same key meanwhile: its output is the same.
    rmSync(tmp, { recursive: true, force: true });
  } else {
    renameSync(tmp, dir);
  }
  log?.(`compiled the servers in ${Math.round(performance.now() - started)} ms → ${posix(relative(root, dir))}`);
}

/** Keeps the newest few builds (a running server may still read its own), removes the rest. */
function prune(current, keep = 3) {
  const parent = dirname(current);
  const builds = readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^[0-9a-f]{16}$/.test(e.name) && join(parent, e.name) !== current)
    .map((e) => ({ path: join(parent, e.name), at: statSync(join(parent, e.name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const old of builds.slice(keep - 1)) rmSync(old.path, { recursive: true, force: true });
  for (const e of readdirSync(parent)) {
    const tmp = /\.tmp-(\d+)$/.exec(e);
    if (tmp && !alive(Number(tmp[1]))) rmSync(join(parent, e), { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The directory of the current build, built first when the sources changed (or when `force`). */
export async function ensureServerBuilt({ force = false, log } = {}) {
  const key = buildKey();
  const dir = serverDir(key);
  if (force) rmSync(dir, { recursive: true, force: true });
  if (!existsSync(join(dir, 'start.mjs'))) {
    mkdirSync(dirname(dir), { recursive: true });
    await bundle(dir, log);
    prune(dir);
  }
  return { key, dir };
}

export const entryUrl = (dir, name) => pathToFileURL(join(dir, `${name}.mjs`)).href;

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const { dir } = await ensureServerBuilt({ force: process.argv.includes('--force'), log: (m) => process.stderr.write(`${m}\n`) });
  process.stdout.write(`${dir}\n`);
}
