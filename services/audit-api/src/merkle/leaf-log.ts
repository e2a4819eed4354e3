import { START_POSITION, type EventStore, type Position } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import { TREE_HEAD_STREAM } from '../tree-heads/tree-head.js';
import { MerkleLevels } from './levels.js';
import { leafHash } from './tree.js';
import { appendWitness, findWitnessByEventId, readWitness, type WitnessRow } from './witness.js';

const PAGE = 5000;

/**
 * The log's leaves in store order, as this process knows them: loaded from the witness table,
 * extended from the store (writing the witness first), kept in memory as {@link MerkleLevels} so
 * roots and proofs never re-read the store. Calls are serialised.
 */
export function createLeafLog(deps: { sql: SqlExecutor; store: EventStore; logger: Logger }) {
  const levels = new MerkleLevels();
  let position: Position = START_POSITION;
  let lastNonHeadIndex = -1;
  let queue: Promise<unknown> = Promise.resolve();

  const add = (row: WitnessRow): void => {
    levels.push(leafHash(row.hash));
    position = row.position as Position;
    if (row.stream !== TREE_HEAD_STREAM) lastNonHeadIndex = row.idx;
  };

  async function catchUpNow(): Promise<number> {
    // Rows other processes (or an earlier run) sealed first.
    for (;;) {
      const rows = await readWitness(deps.sql, levels.size, PAGE);
      for (const row of rows) add(row);
      if (rows.length < PAGE) break;
    }
    const before = levels.size;
    for (;;) {
      const page = await deps.store.readAll({ after: position, limit: PAGE });
      const rows = page.events.map((e, i) => ({
        idx: levels.size + i,
        eventId: e.id,
        stream: e.stream,
        revision: e.revision,
        hash: e.hash,
        position: e.position,
      }));
      await appendWitness(deps.sql, rows);
      for (const row of rows) add(row);
      if (page.caughtUp || page.events.length === 0) break;
    }
    if (levels.size - before > 0) deps.logger.debug({ added: levels.size - before, size: levels.size }, 'witness extended');
    return levels.size;
  }

  function serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = queue.then(fn, fn);
    queue = run.catch(() => undefined);
    return run;
  }

  return {
    levels,
    /** Brings the leaves up to the store's head; resolves to the number of leaves. */
    catchUp: () => serialised(catchUpNow),
    /** Index of the last leaf that is not itself a tree head (−1 when none). */
    lastNonHeadIndex: () => lastNonHeadIndex,
    /** Where an event sits in the sealed order, if the witness has it. */
    indexOf: (eventId: string) => findWitnessByEventId(deps.sql, eventId),
    eventIdAt: async (idx: number) => (await readWitness(deps.sql, idx, 1)).find((r) => r.idx === idx)?.eventId,
  };
}

export type LeafLog = ReturnType<typeof createLeafLog>;
