import { createHash } from 'node:crypto';
import type { Role } from '@gongguan/domain';
import type { EventStore } from '@gongguan/event-store';
import { toAppError } from '@gongguan/platform';
import { AggregateCache } from '../commands/aggregate-cache.js';
import { BureauAccess } from '../bureaus/access.js';
import type { CommandContext } from '../commands/execute.js';
import { nameBasedUuid } from '../commands/ids.js';
import { effectiveInstant } from '../commands/back-record.js';
import type { CommandDeps, CommandOutcome } from '../routes/command-route.js';
import { domainErrorTranslator } from '../routes/errors.js';
import type { Fact, RowError } from './facts.js';
import { OverlayStore } from './overlay-store.js';

/** Who enters the records (the token's subject): named on every event as the one who back-recorded it. */
export interface Importer {
  bureau: string;
  subject: string;
  role: Role;
}

/**
 * The import's id: SHA-256 of the bureau and the file's facts (not its bytes), so the same records
 * saved again, re-sorted or as .xlsx instead of .csv are the same import.
 */
export function importIdOf(bureau: string, facts: readonly Fact[]): string {
  const hash = createHash('sha256').update(`${bureau}\n`);
  for (const fact of facts) hash.update(`${factContent(fact)}\n`);
  return hash.digest('hex');
}

function factContent(fact: Fact): string {
  return JSON.stringify([fact.on, fact.url, fact.params, fact.body, fact.actor]);
}

/**
 * Each fact's seed for its event ids: its content (day, route, parameters, body, actor) within
 * the bureau, so the same fact imported again, from this file or from a corrected copy of it,
 * finds the events it wrote instead of writing them twice. Identical facts in one file count up.
 */
export function factSeeds(bureau: string, facts: readonly Fact[]): string[] {
  const seen = new Map<string, number>();
  return facts.map((fact) => {
    const digest = createHash('sha256').update(`${bureau}\n${factContent(fact)}`).digest('hex');
    const n = seen.get(digest) ?? 0;
    seen.set(digest, n + 1);
    return `import|${digest}|${n}`;
  });
}

const DRY_RUN_CACHE_STREAMS = 20_000;

export interface RunOptions {
  importer: Importer;
  facts: readonly Fact[];
  /** Decide every fact on an in-memory overlay of the store: nothing is written. */
  dryRun: boolean;
  /** Facts (by index) already done: skipped. */
  done?: ReadonlySet<number>;
  /** After each fact written (or found written). */
  onFact?: (index: number, fact: Fact, outcome: CommandOutcome) => Promise<void>;
  /** Stops between facts (a shutdown, or a test's crash). */
  signal?: AbortSignal;
  /** Stop at the first refused fact (a real run) instead of listing them all (a dry run). */
  stopAtFirstError?: boolean;
  /** What rows that could not be read leave missing (ParsedFile.blocked): facts that need it are named, not run. */
  blocked?: ReadonlyArray<{ subject: string; error: RowError }>;
}

export interface RunResult {
  errors: RowError[];
  /** Facts run now (skipped ones not counted). */
  ran: number;
  /** Events appended (to the overlay in a dry run). */
  stopped: boolean;
}

/**
 * Runs facts in order through the command routes' own definitions: the bureau check, the body and
 * parameter schemas, and `run` with a context whose actor is the person the row names, whose clock
 * reads the fact's effective date, and whose event ids derive from the fact.
 */
export async function runFacts(deps: CommandDeps, options: RunOptions): Promise<RunResult> {
  const { importer, facts } = options;
  const registry = deps.registry;
  if (!registry) throw new Error('the command routes were registered without a registry');
  const overlay = options.dryRun ? new OverlayStore(deps.store, () => deps.env.now()) : undefined;
  const store: EventStore = overlay ?? deps.store;
  // The dry run keeps its own folded states (of the overlay's streams), so each command folds only what is new.
  const cache: AggregateCache | undefined = overlay ? new AggregateCache(DRY_RUN_CACHE_STREAMS) : deps.cache;
  const bureaus = overlay ? new BureauAccess(overlay, cache) : deps.bureaus;
  const seeds = factSeeds(importer.bureau, facts);
  const errors: RowError[] = [];
  const failedSubjects = new Map<string, RowError>();
  for (const { subject, error } of options.blocked ?? []) if (!failedSubjects.has(subject)) failedSubjects.set(subject, error);
  const refusedRows = new Set<string>();
  let ran = 0;

  for (let index = 0; index < facts.length; index++) {
    if (options.signal?.aborted) return { errors: sorted(errors), ran, stopped: true };
    if (options.done?.has(index)) continue;
    const fact = facts[index]!;
    const rowKey = `${fact.sheet}\u0000${fact.line}`;
    const refuse = (error: RowError) => {
      if (!refusedRows.has(rowKey)) errors.push(error);
      refusedRows.add(rowKey);
      for (const s of fact.blocks ?? fact.subjects) if (!failedSubjects.has(s)) failedSubjects.set(s, error);
    };
    const blocking = fact.subjects.map((s) => failedSubjects.get(s)).find((e) => e !== undefined);
    if (blocking) {
      refuse({
        sheet: fact.sheet, line: fact.line, column: fact.column, code: 'DEPENDS_ON_REFUSED_ROW',
        message: `依赖的${where(blocking)}未通过校验 (depends on a refused row: ${blocking.code})`,
      });
      continue;
    }
    const def = registry.get(fact.url);
    if (!def) throw new Error(`no command route ${fact.url}`);
    const params = def.params.safeParse(fact.params);
    const body = def.body.safeParse(fact.body);
    if (!params.success || !body.success) {
      const issues = [...(params.success ? [] : params.error.issues), ...(body.success ? [] : body.error.issues)];
      for (const issue of issues) {
        const path = issue.path.map(String);
        const column = columnOf(fact, path);
        if (!refusedRows.has(rowKey)) {
          errors.push({ sheet: fact.sheet, line: fact.line, column, code: 'INVALID_VALUE', message: `"${column}" 的值不符合要求 (${path.join('.') || 'value'}: ${issue.message})` });
        }
      }
      refuse(errors[errors.length - 1]!);
      continue;
    }
    let outcome: CommandOutcome;
    try {
      // The day's last instant in Asia/Shanghai (now, for a fact of today), as for an Effective-Date header.
      const at = effectiveInstant(fact.on, deps.env.now());
      let ids = 0;
      const ctx: CommandContext = {
        store,
        env: { now: () => new Date(at), newId: () => nameBasedUuid(`${seeds[index]}|id|${ids++}`) },
        actor: fact.actor,
        correlationId: `import-${seeds[index]!.slice(7, 39)}`,
        causationId: `import:${fact.sheet || 'csv'}:${fact.line}`,
        idSeed: seeds[index],
        cache,
        bureau: importer.bureau,
        backRecord: { effectiveAt: at, by: importer.subject, role: importer.role },
      };
      await bureaus.authorizeCommand(importer.bureau, def.commandType, def.resources({ params: params.data, body: body.data, bureau: importer.bureau }));
      outcome = await def.run(ctx, { params: params.data, body: body.data, ifMatch: undefined });
    } catch (err) {
      const problem = toAppError(err, [domainErrorTranslator]);
      if (problem.status >= 500) throw err;
      refuse({ sheet: fact.sheet, line: fact.line, column: fact.column, code: problem.publicCode, message: problem.message });
      if (options.stopAtFirstError) return { errors: sorted(errors), ran, stopped: true };
      continue;
    }
    ran++;
    await options.onFact?.(index, fact, outcome);
  }
  return { errors: sorted(errors), ran, stopped: false };
}

/** By sheet, then line. */
export function sorted(errors: RowError[]): RowError[] {
  return errors.sort((a, b) => a.sheet.localeCompare(b.sheet) || a.line - b.line);
}

function where(error: RowError): string {
  return `${error.sheet ? `工作表"${error.sheet}"` : ''}第 ${error.line} 行`;
}

/** The column a schema issue at `path` (of the body, or a path parameter) is about. */
function columnOf(fact: Fact, path: string[]): string {
  for (let n = path.length; n > 0; n--) {
    const column = fact.fields[path.slice(0, n).join('.')];
    if (column !== undefined) return column;
  }
  return fact.column;
}
