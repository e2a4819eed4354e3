import type { EventStore, Position, RecordedEvent } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import type { Sql, SqlExecutor } from '@gongguan/platform/db';
import type { Projection } from '../projection.js';
import { applyProjection, type ApplyResult } from './apply.js';
import { batches } from './batches.js';
import { readCatalogue, schemaName, type ProjectionRow } from './catalog.js';
import type { ProjectorMetrics } from './metrics.js';
import { announceProgress } from './progress.js';
import { describeFailure, failureText, parseEnvelope, type ParsedEnvelope } from './parse.js';

export interface ProjectorOptions {
  sql: Sql;
  store: EventStore;
  projections: readonly Projection[];
  logger: Logger;
  metrics?: ProjectorMetrics;
  /** Most events per transaction; default 2000. */
  maxBatch?: number;
  /** Events per read of the store while catching up; default 2000. */
  pageSize?: number;
  /** Pause before following again after an error (storage gone, ...); default 1000 ms. */
  retryDelayMs?: number;
  /** For tests: runs inside each batch's transaction after the rows are written, before the commit. */
  beforeCommit?: (events: readonly RecordedEvent[]) => void | Promise<void>;
}

/** What one committed batch did, for listeners (metrics, benchmarks, read-your-writes waits). */
export interface CommitInfo {
  position: string;
  events: number;
  results: ReadonlyArray<{ projection: string; result: ApplyResult }>;
}

export interface RunningProjector {
  /** Stops following; an open batch finishes or rolls back first. */
  stop(): Promise<void>;
  /** `/readyz`: not ready while a projection is stopped at an event, naming the event, or the projector keeps failing. */
  readiness(): Promise<{ ok: boolean; code?: string; detail?: string }>;
  onCommit(listener: (info: CommitInfo) => void): () => void;
  readonly caughtUp: boolean;
}

class Resubscribe extends Error {}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    // The listener goes when the timer fires: one per retry would pile up through a long outage.
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Follows the event store from the projections' checkpoints and applies every event to each
 * live projection. Each batch is one transaction that locks the projections' catalogue rows,
 * writes the rows and advances each checkpoint: a crash loses nothing and repeats nothing, and
 * two projectors (or a rebuild swapping a generation in) never apply the same event twice.
 */
export function startProjector(options: ProjectorOptions): RunningProjector {
  const { sql, store, projections, metrics } = options;
  const logger = options.logger.child({ component: 'projector' });
  const byName = new Map(projections.map((p) => [p.name, p]));
  const names = projections.map((p) => p.name);
  const controller = new AbortController();
  const listeners = new Set<(info: CommitInfo) => void>();
  let caughtUp = false;
  let lastError: string | undefined;
  /** Position of the last event handed to a batch: events up to here were seen by this subscription. */
  let seen = '';

  async function commitBatch(events: RecordedEvent[], parsed: ParsedEnvelope[], isolate: boolean) {
    return sql.transaction(async (tx) => {
      // Read models are derived data and the checkpoint commits with the rows: if the database
      // loses the last commits in a crash it loses both, and the projector applies those events
      // again. So the commit need not wait for the WAL flush.
      if (sql.kind === 'postgres') await tx.query('set local synchronous_commit = off');
      const rows = await lockRows(tx, names);
      const done: Array<{ projection: string; result: ApplyResult }> = [];
      for (const row of rows) {
        const projection = byName.get(row.name);
        if (projection === undefined || row.status !== 'live' || row.version !== projection.version) continue;
        // A generation swapped in behind what this subscription already passed: read again from its checkpoint.
        if (row.position < seen) throw new Resubscribe();
        const from = parsed.findIndex((p) => p.envelope.position > row.position);
        if (from < 0) continue;
        const part = from === 0 ? parsed : parsed.slice(from);
        let result: ApplyResult;
        if (!isolate) result = await applyProjection(tx, projection, schemaName(row.name, row.generation), part);
        else {
          await tx.query('savepoint projection');
          try {
            result = await applyProjection(tx, projection, schemaName(row.name, row.generation), part);
            await tx.query('release savepoint projection');
          } catch (err) {
            await tx.query('rollback to savepoint projection');
            const first = part[0];
            if (first === undefined) throw err;
            const message = `writing the batch that starts with this event failed: ${err instanceof Error ? err.message : String(err)}`;
            result = { consumed: 0, applied: 0, position: null, failure: describeFailure(first.envelope, message, 'write') };
          }
        }
        done.push({ projection: row.name, result });
      }
      const moved = done.filter((d) => d.result.position !== null || d.result.failure);
      if (moved.length > 0) {
        await tx.query(
          `update projector.projections p
              set position = coalesce(u.position, p.position), events_applied = p.events_applied + u.applied,
                  status = case when u.error is null then 'live' else 'failed' end, error = u.error::jsonb, updated_at = now()
             from unnest($1::text[], $2::text[], $3::int[], $4::text[]) as u(name, position, applied, error)
            where p.name = u.name`,
          [
            moved.map((d) => d.projection),
            moved.map((d) => d.result.position),
            moved.map((d) => d.result.applied),
            moved.map((d) => (d.result.failure ? JSON.stringify(d.result.failure) : null)),
          ],
        );
      }
      await options.beforeCommit?.(events);
      return done;
    });
  }

  async function applyBatch(events: RecordedEvent[]): Promise<void> {
    const parsed = events.map(parseEnvelope);
    const end = metrics?.batchSeconds.startTimer();
    let results: Array<{ projection: string; result: ApplyResult }>;
    try {
      results = await commitBatch(events, parsed, false);
    } catch (err) {
      if (err instanceof Resubscribe) throw err;
      // Something failed to write: do the batch again with each projection behind a savepoint,
      // so the one that fails stops alone (naming the batch's first event) and the others go on.
      results = await commitBatch(events, parsed, true);
    }
    end?.();
    const last = events[events.length - 1];
    if (last !== undefined) seen = last.position;
    metrics?.lastCommit.setToCurrentTime();
    for (const { projection, result } of results) {
      metrics?.events.inc({ projection }, result.applied);
      if (result.failure) {
        metrics?.failures.inc({ projection });
        metrics?.failed.set({ projection }, 1);
        logger.error({ projection, event: result.failure }, failureText(projection, result.failure));
      }
    }
    const info: CommitInfo = { position: seen, events: events.length, results };
    for (const listener of listeners) listener(info);
    if (results.some((r) => r.result.position !== null || r.result.failure)) await announceProgress(sql, seen, logger);
  }

  async function follow(): Promise<void> {
    const rows = await readCatalogue(sql, names);
    const live = rows.filter((r) => r.status === 'live' && r.version === byName.get(r.name)?.version);
    const positions = (live.length > 0 ? live : rows).map((r) => r.position).sort();
    const after = (live.length > 0 ? positions[0] : positions[positions.length - 1]) as Position | undefined;
    for (const r of rows) metrics?.failed.set({ projection: r.name }, r.status === 'failed' ? 1 : 0);
    seen = after ?? '';
    logger.info({ after, live: live.map((r) => r.name) }, 'following the event store');
    const pageSize = options.pageSize ?? 2000;
    for await (const item of batches(store.subscribe({ ...(after ? { after } : {}), signal: controller.signal, batchSize: pageSize }), options.maxBatch ?? 2000)) {
      if (item.kind === 'caught-up') {
        if (!caughtUp || lastError !== undefined) logger.info({ position: item.position }, 'projections caught up; following live');
        caughtUp = true;
        // Reading the store again up to its end is recovery, even when no event came since.
        lastError = undefined;
      } else {
        await applyBatch(item.events);
        lastError = undefined;
      }
    }
  }

  const running = (async () => {
    // A projection stopped by an earlier process is tried again: the code may have been fixed since.
    await sql
      .query(`update projector.projections set status = 'live', error = null, updated_at = now() where status = 'failed' and name = any($1::text[])`, [names])
      .catch((err: unknown) => logger.error({ err }, 'could not reset failed projections'));
    while (!controller.signal.aborted) {
      try {
        await follow();
        // The subscription ended without being stopped (the store closed): do not spin.
        if (!controller.signal.aborted) await sleep(options.retryDelayMs ?? 1000, controller.signal);
      } catch (err) {
        if (err instanceof Resubscribe) continue;
        if (controller.signal.aborted) break;
        lastError = err instanceof Error ? err.message : String(err);
        logger.error({ err }, 'the projector failed; following again from the checkpoints');
        await sleep(options.retryDelayMs ?? 1000, controller.signal);
      }
    }
  })();

  return {
    async stop() {
      controller.abort();
      await running;
    },
    async readiness() {
      const rows = await readCatalogue(sql, names);
      const problems = rows.flatMap((r) =>
        r.status === 'failed' && r.error ? [failureText(r.name, r.error as unknown as Parameters<typeof failureText>[1])] : [],
      );
      if (lastError !== undefined) problems.push(`the projector keeps failing: ${lastError}`);
      const code = rows.some((r) => r.status === 'failed') ? 'PROJECTION_STOPPED' : 'PROJECTOR_FAILING';
      if (problems.length > 0) return { ok: false, code, detail: problems.join('; ') };
      const outdated = rows.filter((r) => r.status === 'outdated').map((r) => r.name);
      return { ok: true, ...(outdated.length > 0 ? { detail: `rebuilding: ${outdated.join(', ')}` } : {}) };
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    get caughtUp() {
      return caughtUp;
    },
  };
}

async function lockRows(tx: SqlExecutor, names: readonly string[]): Promise<ProjectionRow[]> {
  const { rows } = await tx.query<ProjectionRow>(
    `select name, generation, version, position, status, error, events_applied::float8 as events_applied
       from projector.projections where name = any($1::text[]) order by name for update`,
    [names],
  );
  return rows;
}
