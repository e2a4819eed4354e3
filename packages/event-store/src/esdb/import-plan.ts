import type { RecordedEvent } from '../event-store.js';
import { GENESIS_HASH, verifyStreamChain } from '../hash-chain.js';

/**
 * What a store must offer to receive a history copied from another store (`pnpm migrate-store`):
 * events written as they are — ids, revisions, recordedAt, prevHash and hash kept, not
 * recomputed — after checking that they chain onto what the target already holds.
 */
export interface EventImporter {
  /**
   * Imports `events`, given in the source's global order (any streams), keeping that order.
   * Events already in the target at the same stream and revision with the same id and hash are
   * skipped (a resumed copy); a different event there, a gap, or a broken chain is an error.
   */
  importEvents(events: readonly RecordedEvent[]): Promise<ImportResult>;
  /** The last event written to the target in global order: where a resumed copy continues from. */
  lastStoredEvent(): Promise<RecordedEvent | undefined>;
}

export interface ImportResult {
  written: number;
  skipped: number;
}

/** What the target already holds of a stream: its last revision and hash. */
export interface ImportHead {
  revision: number;
  hash: string;
}

export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** Consecutive events of one stream, in the order given. */
export function runsByStream(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const runs: RecordedEvent[][] = [];
  let current: RecordedEvent[] | undefined;
  for (const event of events) {
    if (current?.[0]?.stream === event.stream) current.push(event);
    else runs.push((current = [event]));
  }
  return runs;
}

/**
 * Splits a run of one stream into the events the target already has (`present`, to be compared
 * by id and hash) and those to write (`missing`), after verifying the run's own chain and that
 * the first missing event chains onto the target's head.
 */
export function planImport(run: readonly RecordedEvent[], head: ImportHead | undefined): { present: RecordedEvent[]; missing: RecordedEvent[] } {
  const first = run[0];
  if (!first) return { present: [], missing: [] };
  const verified = verifyStreamChain(run, first.revision === 0 ? {} : { previousHash: first.prevHash });
  if (!verified.ok) {
    throw new ImportError(`${first.stream}@${verified.event.revision}: ${verified.problem} (expected ${verified.expected}, found ${verified.actual})`);
  }
  const headRevision = head?.revision ?? -1;
  const present = run.filter((e) => e.revision <= headRevision);
  const missing = run.filter((e) => e.revision > headRevision);
  const next = missing[0];
  if (next) {
    if (next.revision !== headRevision + 1) {
      throw new ImportError(`${next.stream}: the target ends at revision ${headRevision}, the next event to import is ${next.revision}`);
    }
    const expectedPrev = head?.hash ?? GENESIS_HASH;
    if (next.prevHash !== expectedPrev) {
      throw new ImportError(`${next.stream}@${next.revision}: prevHash does not chain onto the target's last event`);
    }
  }
  return { present, missing };
}

/** Throws unless the target's events at these revisions are the same (id and hash). */
export function comparePresent(present: readonly RecordedEvent[], stored: ReadonlyMap<number, { id: string; hash: string }>): void {
  for (const event of present) {
    const there = stored.get(event.revision);
    if (!there || there.id !== event.id || there.hash !== event.hash) {
      throw new ImportError(`${event.stream}@${event.revision}: the target holds a different event (${there?.id ?? 'none'})`);
    }
  }
}
