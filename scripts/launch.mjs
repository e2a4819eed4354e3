/**
 * `pnpm start` and each service's `start`: compiles the servers when their sources changed
 * (scripts/build.mjs, about a second), then runs the compiled entry in this same process.
 *
 *   node scripts/launch.mjs [start|lifecycle-api|projector|reporting-api|audit-api|console]
 *
 * GONGGUAN_BUILD=off runs what is built and refuses to build (an image built with `pnpm build`).
 */
import { existsSync, readFileSync } from 'node:fs';
import module, { SourceMap } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { buildKey, entries, ensureServerBuilt, entryUrl, root, serverDir } from './build.mjs';

const name = process.argv[2] ?? 'start';
if (!Object.hasOwn(entries, name)) {
  process.stderr.write(`launch: unknown entry "${name}"; one of: ${Object.keys(entries).join(', ')}\n`);
  process.exit(64);
}
// One JSON line in the servers' own shape (pino's, as platform's logger writes it).
const log = (msg) => process.stderr.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'gongguan-build', msg })}\n`);

let dir;
if (process.env.GONGGUAN_BUILD === 'off') {
  dir = serverDir(buildKey());
  if (!existsSync(`${dir}/${name}.mjs`)) {
    process.stderr.write(`launch: GONGGUAN_BUILD=off and no build of these sources in ${dir}: run \`pnpm build\` first\n`);
    process.exit(78);
  }
} else {
  ({ dir } = await ensureServerBuilt({ log }));
}
// Fresh embedded data directories are copied from an initialised one kept here (made once per PGlite version).
process.env.PGLITE_TEMPLATE_CACHE ??= join(root, 'dist/pglite');
// PGlite's WebAssembly compiled by V8's baseline compiler only: without the optimising tier-up the
// embedded server starts sooner and idles about 60 MB lower, and commands cost the same (their time
// goes to JavaScript and the protocol, not to PostgreSQL's executor): scripts/bench/start.bench.ts.
// GONGGUAN_WASM_TIERUP=1 keeps V8's default. Read by V8 when it compiles the module, after this line.
if (process.env.GONGGUAN_WASM_TIERUP !== '1') setFlagsFromString('--liftoff-only');
// Stack traces name the TypeScript sources (the bundles carry linked source maps), read lazily.
installLazySourceMaps(dir);
// Node 22.1 and later keep V8's compiled code of every module on disk (os.tmpdir()/node-compile-cache,
// or NODE_COMPILE_CACHE), so a restart does not compile Fastify, pg, zod and our bundles again.
// Node 20 has no such cache: the call is skipped there. It never throws.
module.enableCompileCache?.();
await import(entryUrl(dir, name));

/**
 * Frames in the bundles of `dir` are shown at their TypeScript source, as Node's own source-map
 * support (`process.setSourceMapsEnabled`) would show them, but a bundle's map is read on the
 * first stack trace that passes through it, not while the bundle loads: Node parses every map,
 * and measures every line of its bundle, as each module loads (~2 MB of maps, ~50 ms of a start
 * on the machine of BENCHMARKS.md, and the memory they hold). V8 renders the frames; only their
 * file:line:column is replaced. Anything else (Node's internals, node_modules kept outside the
 * bundle, code from `new Function`) is left as V8 wrote it.
 */
function installLazySourceMaps(bundleDir) {
  const prefix = `${pathToFileURL(bundleDir).href}/`;
  const maps = new Map();
  const mapOf = (url) => {
    let map = maps.get(url);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${fileURLToPath(url)}.map`, 'utf8')));
      } catch {
        map = null; // no map, or an unreadable one: the frame stays as V8 wrote it
      }
      maps.set(url, map);
    }
    return map;
  };
  const render = (site) => {
    const text = String(site);
    const file = site.getFileName();
    if (typeof file !== 'string' || !file.startsWith(prefix)) return text;
    const line = site.getLineNumber();
    const column = site.getColumnNumber();
    if (line == null || column == null) return text;
    const entry = mapOf(file)?.findEntry(line - 1, column - 1);
    if (!entry?.originalSource) return text;
    const source = new URL(entry.originalSource, file);
    const where = `${source.protocol === 'file:' ? fileURLToPath(source) : source.href}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
    return text.replace(`${file}:${line}:${column}`, where);
  };
  Error.prepareStackTrace = (error, sites) => {
    let head;
    try {
      head = Error.prototype.toString.call(error);
    } catch {
      head = '<error>';
    }
    let out = head;
    for (const site of sites) {
      let frame;
      try {
        frame = render(site);
      } catch {
        frame = String(site);
      }
      out += `\n    at ${frame}`;
    }
    return out;
  };
}
