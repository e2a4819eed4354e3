import type { Logger } from '@gongguan/platform';
import type { CommandDeps } from '../routes/command-route.js';
import { factsOf, type Fact, type ParsedFile, type RowError } from './facts.js';
import type { ImportLedger, ImportRecord } from './ledger.js';
import { importIdOf, runFacts, sorted, type Importer } from './run.js';
import { readTables, TableError, type FileFormat } from './table.js';

export interface DryRunReport {
  importId: string;
  rows: number;
  facts: number;
  errors: RowError[];
}

/** What a run looks like from outside: the ledger's record, plus how far validation got in this process. */
export interface ImportProgress extends ImportRecord {
  validated: number | null;
}

export class UnreadableFile extends Error {}

/** Reads a file into facts; a file that is not CSV or a workbook at all is UnreadableFile. */
export async function parseFile(bytes: Uint8Array, format?: FileFormat): Promise<ParsedFile> {
  try {
    return factsOf(await readTables(bytes, format));
  } catch (err) {
    if (err instanceof TableError) throw new UnreadableFile(err.message);
    throw err;
  }
}

/**
 * Runs imports: the dry run in the request, the real run as a job in this process whose progress
 * the ledger keeps (so a restarted process, or another one, can answer and take it over).
 */
export class ImportService {
  private readonly jobs = new Map<string, { done: Promise<void>; stop: AbortController; validated: number }>();

  constructor(
    /** The command routes' dependencies, with the registry the facts run through. */
    readonly deps: CommandDeps,
    readonly ledger: ImportLedger,
    private readonly logger: Logger,
  ) {}

  async dryRun(importer: Importer, parsed: ParsedFile): Promise<DryRunReport> {
    const importId = importIdOf(importer.bureau, parsed.facts);
    const errors = [...parsed.errors];
    if (parsed.facts.length > 0) errors.push(...(await runFacts(this.deps, { importer, facts: parsed.facts, dryRun: true, blocked: parsed.blocked })).errors);
    sorted(errors);
    return { importId, rows: parsed.rows, facts: parsed.facts.length, errors };
  }

  /**
   * Starts (or resumes) the real run of a file that parsed without errors. Null when it is done
   * or running (here or in another process): the ledger says how far.
   */
  async start(importer: Importer, fileName: string, facts: readonly Fact[], options: { signal?: AbortSignal } = {}): Promise<{ importId: string; started: boolean }> {
    const importId = importIdOf(importer.bureau, facts);
    if (this.jobs.has(importId)) return { importId, started: false };
    const claim = await this.ledger.claim({ importId, bureau: importer.bureau, fileName, requestedBy: importer.subject, total: facts.length });
    if (claim === null) return { importId, started: false };
    const stop = new AbortController();
    options.signal?.addEventListener('abort', () => stop.abort(), { once: true });
    const job = { stop, validated: 0, done: Promise.resolve() };
    job.done = this.run(importId, importer, facts, job).finally(() => this.jobs.delete(importId));
    this.jobs.set(importId, job);
    return { importId, started: true };
  }

  private async run(importId: string, importer: Importer, facts: readonly Fact[], job: { stop: AbortController; validated: number }): Promise<void> {
    const log = this.logger.child({ importId, bureau: importer.bureau });
    const signal = job.stop.signal;
    try {
      log.info({ facts: facts.length }, 'import: validating every fact (dry run)');
      const checked = await runFacts(this.deps, {
        importer, facts, dryRun: true, signal,
        onFact: async () => {
          job.validated++;
        },
      });
      if (checked.stopped) return;
      if (checked.errors.length > 0) {
        await this.ledger.setStatus(importId, 'invalid', { errors: checked.errors });
        log.info({ errors: checked.errors.length }, 'import: refused, bad rows');
        return;
      }
      await this.ledger.setStatus(importId, 'running');
      const done = await this.ledger.doneFacts(importId);
      const started = Date.now();
      const result = await runFacts(this.deps, {
        importer, facts, dryRun: false, done, signal, stopAtFirstError: true,
        onFact: async (seq, fact, outcome) => {
          const steps = outcome.steps ?? [outcome.primary];
          const positions = steps.map((s) => s.position).filter((p): p is string => p !== null).sort();
          await this.ledger.factDone(importId, { seq, sheet: fact.sheet, line: fact.line, events: steps.reduce((n, s) => n + s.events.length, 0), position: positions.at(-1) ?? null });
        },
      });
      if (result.stopped && result.errors.length === 0) return;
      if (result.errors.length > 0) {
        await this.ledger.setStatus(importId, 'failed', { errors: result.errors });
        log.warn({ errors: result.errors }, 'import: a fact was refused during the run');
        return;
      }
      await this.ledger.setStatus(importId, 'done');
      log.info({ facts: result.ran, skipped: done.size, ms: Date.now() - started }, 'import: done');
    } catch (err) {
      log.error({ err }, 'import: the run failed; posting the file again resumes it');
      await this.ledger.setStatus(importId, 'failed', { failure: (err as Error).message }).catch(() => undefined);
    }
  }

  async progress(importId: string): Promise<ImportProgress | null> {
    const record = await this.ledger.get(importId);
    if (!record) return null;
    const job = this.jobs.get(importId);
    return { ...record, validated: job && record.status === 'validating' ? job.validated : null };
  }

  /** The job of an import running in this process, to wait for (tests, shutdown). */
  running(importId: string): Promise<void> | undefined {
    return this.jobs.get(importId)?.done;
  }

  /** Stops every job between two facts; their imports resume when the file is posted again. */
  async close(): Promise<void> {
    for (const job of this.jobs.values()) job.stop.abort();
    await Promise.all([...this.jobs.values()].map((j) => j.done));
  }
}
