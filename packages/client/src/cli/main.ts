#!/usr/bin/env -S node --import tsx
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createAuditClient, type AuditAggregate } from '../audit-client.js';
import { ApiError, createHttpClient } from '../http-client.js';
import { progress } from './progress.js';

/** Exit codes scripts can rely on. */
export const EXIT = { ok: 0, verificationFailed: 1, usage: 2, http: 3, unexpected: 4 } as const;

const HELP = `gongguan — the auditor's (and the importing officer's) command line (over HTTP)

usage: gongguan <command> [options]
  history <project-id>                 a project's combined history (store order)
  history --stream <stream>            one stream's events, all pages
  state <id> [--kind project|programme|disbursement] [--as-of <ISO instant> | --at-revision <n>]
  diff <id> --from <ISO|revision> [--to <ISO|revision>] [--kind …]
  verify                               the whole store: chains, sealed log, signed tree heads
  verify --stream <stream>             one stream
  export <project|programme|ledger> <id> --out <dir> [--evidence] [--no-verify]
                                       seals, writes an audit bundle (a ledger: subsidy-<code>-<year> or
                                       r3-<code>-<year>) and checks it with scripts/verify-bundle.mjs
  import <file.csv|file.xlsx> [--dry-run]
                                       an officer back-records a bureau's earlier records (templates
                                       and a sample: services/lifecycle-api/samples/import/);
                                       --dry-run lists every bad row and writes nothing; the same
                                       file again writes nothing new or resumes

options: --url <base URL> (env GONGGUAN_URL, default http://127.0.0.1:3000)
         --token <bearer token> (env GONGGUAN_TOKEN)   --json (machine-readable output)
exit codes: 0 ok · 1 verification failed · 2 usage · 3 HTTP or authentication error · 4 unexpected error`;

class UsageError extends Error {}

const out = (line: string) => process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      token: { type: 'string' },
      stream: { type: 'string' },
      kind: { type: 'string', default: 'project' },
      'as-of': { type: 'string' },
      'at-revision': { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      out: { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
      evidence: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...args] = positionals;
  if (values.help || command === undefined) {
    out(HELP);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const token = values.token ?? process.env.GONGGUAN_TOKEN;
  const http = createHttpClient({ baseUrl: values.url ?? process.env.GONGGUAN_URL ?? 'http://127.0.0.1:3000', ...(token ? { token } : {}) });
  const audit = createAuditClient(http);
  const kind = values.kind as AuditAggregate;
  if (!['project', 'programme', 'disbursement'].includes(kind)) throw new UsageError(`--kind must be project, programme or disbursement`);
  const need = (v: string | undefined, what: string): string => {
    if (!v) throw new UsageError(`missing ${what}`);
    return v;
  };

  switch (command) {
    case 'history': {
      const bar = progress('reading history');
      try {
        const events = [];
        if (values.stream) {
          for (let from: number | null = 0; from !== null; ) {
            const page = await audit.streamEvents(values.stream, from);
            events.push(...page.events);
            bar.tick(page.events.length);
            from = page.nextRevision;
          }
        } else events.push(...(await audit.projectHistory(need(args[0], '<project-id>'))).events);
        bar.stop();
        for (const e of events) {
          if (values.json) out(JSON.stringify(e));
          else {
            const m = e.metadata;
            out(`${m.recordedAt}  ${e.stream}@${e.revision}  ${e.type}  by ${m.actorId} (${m.actorRole})${m.effectiveDate ? `  effective ${m.effectiveDate}` : ''}${m.reason ? `  reason: ${m.reason}` : ''}  ${e.hash.slice(0, 12)}`);
          }
        }
        return EXIT.ok;
      } finally {
        bar.stop();
      }
    }
    case 'state': {
      const at = values['as-of'] ? { asOf: values['as-of'] } : values['at-revision'] ? { atRevision: Number(values['at-revision']) } : {};
      out(JSON.stringify(await audit.state(kind, need(args[0], '<id>'), at), null, 2));
      return EXIT.ok;
    }
    case 'diff': {
      const d = await audit.diff(kind, need(args[0], '<id>'), need(values.from, '--from'), values.to);
      if (values.json) out(JSON.stringify(d, null, 2));
      else
        for (const c of d.changes) {
          out(`${c.path || '(state)'}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
          for (const e of c.changedBy) out(`    by ${e.type} (revision ${e.revision}, ${e.actorId}, ${e.recordedAt})`);
        }
      return EXIT.ok;
    }
    case 'verify': {
      if (values.stream) {
        const r = await audit.verifyStream(values.stream);
        out(values.json ? JSON.stringify(r, null, 2) : r.ok ? `OK: ${values.stream}, ${r.count} events chain and match what was sealed` : `FAILED: ${values.stream}: ${r.firstBadEvent?.detail} (event ${r.firstBadEvent?.eventId})`);
        return r.ok ? EXIT.ok : EXIT.verificationFailed;
      }
      const bar = progress('verifying the whole store');
      const r = await audit.verifyStore().finally(() => bar.stop());
      if (values.json) out(JSON.stringify(r, null, 2));
      else if (r.ok) out(`OK: ${r.events} events in ${r.streams} streams, ${r.treeHeads.checked} signed tree heads (${r.durationMs} ms)`);
      else {
        out(`FAILED: ${r.problemCount} problem(s); first bad event: ${r.firstBadEvent?.eventId ?? '?'} at place ${r.firstBadEvent?.index}: ${r.firstBadEvent?.detail}`);
        for (const p of r.problems.slice(0, 20)) out(`  - [${p.kind}] ${p.stream ?? ''}@${p.revision ?? ''} ${p.detail}`);
      }
      return r.ok ? EXIT.ok : EXIT.verificationFailed;
    }
    case 'export': {
      const scope = need(args[0], '<project|programme|ledger>');
      if (scope !== 'project' && scope !== 'programme' && scope !== 'ledger') throw new UsageError('export project <id>, export programme <id> or export ledger <stream>');
      const dir = resolve(need(values.out, '--out <dir>'));
      const bar = progress(`exporting ${scope} ${args[1] ?? ''}`);
      const bundle = await audit.bundle(scope, need(args[1], '<id>'), { evidence: values.evidence }).finally(() => bar.stop());
      mkdirSync(dir, { recursive: true });
      const names = Object.keys(bundle.files);
      const writing = progress('writing', names.length);
      for (const name of names) {
        if (name.includes('/') || name.startsWith('.')) throw new Error(`refusing to write a file named ${name}`);
        writeFileSync(join(dir, name), bundle.files[name] ?? '');
        writing.tick();
      }
      writing.stop();
      if (bundle.evidence && bundle.evidence.length > 0) {
        // The evidence files, by their SHA-256, as scripts/verify-bundle.mjs reads them (it checks each against its event).
        mkdirSync(join(dir, 'evidence'), { recursive: true });
        for (const file of bundle.evidence) {
          if (!/^[0-9a-f]{64}$/.test(file.sha256)) throw new Error(`refusing to write evidence named ${file.sha256}`);
          writeFileSync(join(dir, 'evidence', file.sha256), Buffer.from(file.base64, 'base64'));
        }
        out(`wrote ${bundle.evidence.length} evidence file(s) to ${join(dir, 'evidence')}`);
      }
      out(`wrote ${bundle.manifest.events} events of ${bundle.manifest.streams} whole streams, tree head ${bundle.manifest.treeHead.treeSize} (${bundle.manifest.treeHead.rootHash}) to ${dir}`);
      if (bundle.manifest.eventsAfterTreeHead > 0) out(`note: ${bundle.manifest.eventsAfterTreeHead} later event(s) were recorded after the tree head this export sealed and are not included`);
      if (values['no-verify']) return EXIT.ok;
      const verifier = join(dirname(fileURLToPath(import.meta.url)), '../../../../scripts/verify-bundle.mjs');
      const r = spawnSync(process.execPath, [verifier, dir], { stdio: 'inherit' });
      return r.status === 0 ? EXIT.ok : EXIT.verificationFailed;
    }
    case 'import':
      return importFile(http, need(args[0], '<file>'), values['dry-run'], values.json);
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

interface RowError {
  sheet: string;
  line: number;
  column: string;
  code: string;
  message: string;
}
interface ImportProgress {
  importId: string;
  status: 'validating' | 'invalid' | 'running' | 'done' | 'failed';
  total: number;
  done: number;
  validated: number | null;
  errors: RowError[];
  failure: string | null;
}

const rowLine = (e: RowError) => `${e.sheet ? `${e.sheet} ` : ''}第 ${e.line} 行 [${e.column}] ${e.code}: ${e.message}`;

/** POST /v1/imports, then follows the run at GET /v1/imports/{id} with a progress line on stderr. */
async function importFile(http: ReturnType<typeof createHttpClient>, file: string, dryRun: boolean, json: boolean): Promise<number> {
  const bytes = readFileSync(file);
  const body = { fileName: basename(file).slice(0, 200), content: bytes.toString('base64'), dryRun };
  if (dryRun) {
    const bar = progress(`checking ${basename(file)}`);
    const report = (await http.post<{ importId: string; rows: number; facts: number; ok: boolean; errors: RowError[] }>('/v1/imports', body).finally(() => bar.stop())).body;
    if (json) out(JSON.stringify(report, null, 2));
    else {
      for (const e of report.errors) out(rowLine(e));
      out(report.ok ? `OK: ${report.rows} rows, ${report.facts} facts, nothing written (dry run); import id ${report.importId}` : `${report.errors.length} problem(s) in ${report.rows} rows; nothing written`);
    }
    return report.ok ? EXIT.ok : EXIT.verificationFailed;
  }
  let state: ImportProgress;
  try {
    state = (await http.post<ImportProgress>('/v1/imports', body)).body;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'IMPORT_INVALID') {
      for (const e of (err.problem.errors as RowError[] | undefined) ?? []) out(rowLine(e));
      out(`${err.message}`);
      return EXIT.verificationFailed;
    }
    throw err;
  }
  const started = Date.now();
  const first = state.done;
  let last = '';
  for (;;) {
    const secs = (Date.now() - started) / 1000;
    const rate = secs > 0 ? ((state.done - first) / secs).toFixed(1) : '0.0';
    const line =
      state.status === 'validating'
        ? `import ${state.importId.slice(0, 12)}: checking ${state.validated ?? 0}/${state.total} facts`
        : `import ${state.importId.slice(0, 12)}: ${state.status} ${state.done}/${state.total} facts, ${rate}/s`;
    if (line !== last) process.stderr.write(process.stderr.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
    last = line;
    if (state.status === 'done' || state.status === 'invalid' || state.status === 'failed') break;
    await new Promise((r) => setTimeout(r, 1000));
    state = (await http.get<ImportProgress>(`/v1/imports/${state.importId}`)).body;
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (json) out(JSON.stringify(state, null, 2));
  else {
    for (const e of state.errors) out(rowLine(e));
    if (state.status === 'done') out(`OK: import ${state.importId}: ${state.total} facts recorded (back-recorded as of their dates)`);
    else if (state.status === 'invalid') out(`refused: ${state.errors.length} problem(s); nothing written`);
    else out(`stopped: ${state.failure ?? 'a fact was refused'}; ${state.done}/${state.total} facts written; run the same command again to resume`);
  }
  return state.status === 'done' ? EXIT.ok : EXIT.verificationFailed;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || (err instanceof TypeError && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`${err.message}\n\n${HELP}\n`);
    process.exitCode = EXIT.usage;
  } else if (err instanceof ApiError) {
    process.stderr.write(`HTTP ${err.status} ${err.code}: ${err.message}\n`);
    process.exitCode = EXIT.http;
  } else if (err instanceof TypeError && /fetch failed/.test(err.message)) {
    process.stderr.write(`cannot reach the server: ${(err.cause as Error | undefined)?.message ?? err.message}\n`);
    process.exitCode = EXIT.http;
  } else {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT.unexpected;
  }
}
