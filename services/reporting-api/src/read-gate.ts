import { appError } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { failureSummary, PROGRESS_CHANNEL, type FailureKind } from '@gongguan/projections';

interface CatalogueRow {
  name: string;
  position: string;
  status: 'live' | 'failed' | 'outdated';
  failed_position: string | null;
  failed_type: string | null;
  failed_kind: FailureKind | null;
}

export interface ReadGateOptions {
  sql: Sql;
  /** The event store's last written position: a `minPosition` beyond it was never returned by a command. */
  lastPosition: () => Promise<string>;
  /** Longest `?minPosition=` wait in milliseconds. */
  maxWaitMs: number;
  /** How often a waiting read looks again without a progress announcement (one may be lost); default 1000 ms. */
  pollMs?: number;
}

/** What a read may say about the read models it used: a header value naming those being rebuilt. */
export interface ReadModelState {
  /** `Gongguan-Read-Model` header: `name;status=rebuilding;position="…"` per projection not kept live. */
  header?: string;
}

/**
 * Stands before every reporting read: the answer is only as good as the projections it reads.
 *
 * - a projection that stopped (its handler threw, an event it cannot read) makes the read fail
 *   with 503 `PROJECTION_FAILED`, naming it, where it stopped and why in a fixed summary (no data,
 *   no SQL): never a silent stale 200;
 * - a projection being rebuilt after a code change (`outdated`: the old tables are no longer
 *   followed) gives a 200 with the `Gongguan-Read-Model` header naming it and its position;
 * - `?minPosition=` beyond the last written event is refused at once (409 `POSITION_NOT_WRITTEN`);
 *   otherwise the read waits, woken by the projector's progress announcements (LISTEN), looking
 *   again without one only every `pollMs`, for at most `maxWaitMs`, then 503 `NOT_READY`.
 */
export function createReadGate(options: ReadGateOptions) {
  const { sql, maxWaitMs } = options;
  const pollMs = options.pollMs ?? 1000;
  let rings = 0;
  const sleepers = new Set<() => void>();
  const ring = () => {
    rings++;
    for (const wake of [...sleepers]) wake();
  };
  let listening: Promise<(() => Promise<void>) | undefined> | undefined;
  let lastKnown = '';

  const catalogue = async (names: readonly string[]) =>
    (
      await sql.query<CatalogueRow>(
        `select name, position, status, error->>'position' as failed_position, error->>'type' as failed_type, error->>'kind' as failed_kind
           from projector.projections where name = any($1::text[]) order by name`,
        [names],
      )
    ).rows;

  /** Resolves when the projector announces progress after `ticket`, or after `ms`. */
  const nextAnnouncement = (ticket: number, ms: number) =>
    rings !== ticket
      ? Promise.resolve()
      : new Promise<void>((resolve) => {
          const wake = () => {
            clearTimeout(timer);
            sleepers.delete(wake);
            resolve();
          };
          const timer = setTimeout(wake, ms);
          sleepers.add(wake);
        });

  async function refuseUnwritten(minPosition: string): Promise<void> {
    if (minPosition <= lastKnown) return;
    lastKnown = await options.lastPosition();
    if (minPosition <= lastKnown) return;
    throw appError('POSITION_NOT_WRITTEN', `no event has been written at position ${minPosition}: the last one is at ${lastKnown}`, {
      extra: { minPosition, lastPosition: lastKnown },
    });
  }

  function refuseFailed(rows: readonly CatalogueRow[]): void {
    const failed = rows.filter((r) => r.status === 'failed');
    if (failed.length === 0) return;
    const projections = failed.map((r) => ({
      name: r.name,
      position: r.position,
      failedAt: r.failed_position,
      eventType: r.failed_type,
      reason: r.failed_kind,
      summary: failureSummary(r.failed_kind ?? undefined, r.failed_type ?? 'unknown'),
    }));
    throw appError(
      'PROJECTION_FAILED',
      `this answer depends on ${failed.length === 1 ? 'the projection' : 'the projections'} ${projections
        .map((p) => `${p.name}, stopped after position ${p.position} at ${p.failedAt ?? '?'}: ${p.summary}`)
        .join('; ')}; its figures would be stale, so none are given (see GET /v1/projections)`,
      { extra: { projections } },
    );
  }

  return {
    /** Checks (and for `minPosition`, waits for) the projections `names` before a read. */
    async check(names: readonly string[], minPosition?: string): Promise<ReadModelState> {
      if (minPosition !== undefined) {
        await refuseUnwritten(minPosition);
        listening ??= sql.listen(PROGRESS_CHANNEL, ring).catch(() => undefined);
        await listening;
      }
      const deadline = Date.now() + maxWaitMs;
      for (;;) {
        const ticket = rings;
        const rows = await catalogue(names);
        refuseFailed(rows);
        const behind = minPosition === undefined ? [] : rows.filter((r) => r.position < minPosition);
        if (behind.length === 0 && rows.length === names.length) {
          const outdated = rows.filter((r) => r.status === 'outdated');
          return outdated.length === 0 ? {} : { header: outdated.map((r) => `${r.name};status=rebuilding;position="${r.position}"`).join(', ') };
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          throw appError('NOT_READY', `the projections ${behind.map((r) => `${r.name} (at ${r.position}, ${r.status})`).join(', ')} have not reached position ${minPosition} yet`, {
            extra: { minPosition, projections: rows.map((r) => ({ name: r.name, position: r.position, status: r.status })) },
            headers: { 'retry-after': '1' },
          });
        }
        await nextAnnouncement(ticket, Math.min(pollMs, left));
      }
    },
    async close(): Promise<void> {
      const unlisten = await listening;
      for (const wake of [...sleepers]) wake();
      // The connection may be closing already; nothing is left to unlisten then.
      await unlisten?.().catch(() => undefined);
    },
  };
}

export type ReadGate = ReturnType<typeof createReadGate>;

/** Runs the gate before a read and passes what it says on to the reply. */
export async function guardRead(gate: ReadGate, reply: { header(name: string, value: string): unknown }, names: readonly string[], minPosition: string | undefined): Promise<void> {
  const state = await gate.check(names, minPosition);
  if (state.header !== undefined) reply.header('gongguan-read-model', state.header);
}
