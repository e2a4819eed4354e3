import { verifyStreamChain, type EventStore } from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';

const PAGE = 1000;

export type StreamVerification =
  | { stream: string; ok: true; count: number; lastHash: string; sealedCount: number }
  | {
      stream: string;
      ok: false;
      count: number;
      sealedCount: number;
      firstBadEvent: { eventId: string | null; revision: number; problem: string; detail: string; expected: string; actual: string };
    };

/**
 * Verifies one stream: its hash chain from revision 0, and that every event the witness sealed
 * for it is still there with the same id and hash (so a deleted tail is named too).
 */
export async function verifyStream(store: EventStore, sql: SqlExecutor, stream: string): Promise<StreamVerification> {
  const { rows: sealed } = await sql.query<{ revision: string; event_id: string; hash: string }>(
    `select w.revision::text as revision, w.event_id::text as event_id, w.hash from audit.witness w where w.stream = $1 order by w.revision`,
    [stream],
  );
  const sealedByRevision = new Map(sealed.map((r) => [Number(r.revision), r]));
  let count = 0;
  let previousHash: string | undefined;
  for (;;) {
    const events = await store.readStream(stream, { fromRevision: count, limit: PAGE }).catch((err: unknown) => {
      // A stream whose every event was deleted is still known to the witness.
      if (sealed.length > 0 && isAppError(err) && err.code === 'STREAM_NOT_FOUND') return [];
      throw err;
    });
    const chain = verifyStreamChain(events, previousHash === undefined ? {} : { previousHash });
    if (!chain.ok) {
      return {
        stream,
        ok: false,
        count: count + chain.index,
        sealedCount: sealed.length,
        firstBadEvent: { eventId: chain.event.id, revision: chain.event.revision, problem: chain.problem, detail: `${chain.problem} at revision ${chain.event.revision}`, expected: chain.expected, actual: chain.actual },
      };
    }
    for (const event of events) {
      const was = sealedByRevision.get(event.revision);
      if (was && (was.event_id !== event.id || was.hash !== event.hash)) {
        return {
          stream,
          ok: false,
          count: event.revision,
          sealedCount: sealed.length,
          firstBadEvent: { eventId: event.id, revision: event.revision, problem: 'not-as-sealed', detail: `revision ${event.revision} was sealed as event ${was.event_id}`, expected: `${was.event_id} ${was.hash}`, actual: `${event.id} ${event.hash}` },
        };
      }
    }
    count += events.length;
    if (chain.count > 0) previousHash = chain.lastHash;
    if (events.length < PAGE) break;
  }
  const gone = sealed.find((r) => Number(r.revision) >= count);
  if (gone) {
    return {
      stream,
      ok: false,
      count,
      sealedCount: sealed.length,
      firstBadEvent: { eventId: gone.event_id, revision: Number(gone.revision), problem: 'missing', detail: `revision ${gone.revision} was sealed but is no longer in the stream`, expected: `${gone.event_id} ${gone.hash}`, actual: 'nothing' },
    };
  }
  return { stream, ok: true, count, lastHash: previousHash ?? '0'.repeat(64), sealedCount: sealed.length };
}
