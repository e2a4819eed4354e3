import { START_POSITION, type EventStore, type Position } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import { isAuditBookkeeping } from '../tree-heads/tree-head.js';
import { MerkleLevels } from './levels.js';
import { buildStreamHeads, type StreamHeads } from './stream-heads.js';
import { leafHash } from './tree.js';
import { appendWitness, findWitnessByEventId, readWitness, streamHeadsFromWitness, type WitnessRow } from './witness.js';

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
  // Each stream's last revision and hash among the leaves known: the stream heads of the current size.
  const heads = new Map<string, { revision: number; hash: string }>();
  // Stream-head trees already built, by tree size (the latest few: sealing and bundles ask for those).
  const built = new Map<number, StreamHeads>();
  let queue: Promise<unknown> = Promise.resolve();

  const add = (row: WitnessRow): void => {
    levels.push(leafHash(row.hash));
    position = row.position as Position;
    if (!isAuditBookkeeping(row.stream)) lastNonHeadIndex = row.idx;
    heads.set(row.stream, { revision: row.revision, hash: row.hash });
  };

  const remember = (size: number, tree: StreamHeads): StreamHeads => {
    built.set(size, tree);
    while (built.size > 4) built.delete(built.keys().next().value!);
    return tree;
  };

  /** The stream heads of the current size, from memory. */
  const currentStreamHeads = (): StreamHeads =>
    built.get(levels.size) ?? remember(levels.size, buildStreamHeads([...heads].map(([stream, h]) => ({ stream, revision: h.revision, hash: h.hash }))));

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
    /**
     * Brings the leaves up to the store's head and returns the size with its stream heads, both of
     * the same moment (what a seal signs).
     */
    catchUpWithStreamHeads: () =>
      serialised(async () => {
        const size = await catchUpNow();
        return { size, streamHeads: currentStreamHeads() };
      }),
    /**
     * The stream-head tree of the tree of size `treeSize` (≤ the leaves known): from memory for the
     * current size and the last few built, otherwise recomputed from the witness.
     */
    streamHeadsAt: (treeSize: number): Promise<StreamHeads> =>
      serialised(async () => {
        if (treeSize > levels.size) await catchUpNow();
        if (treeSize > levels.size) throw new RangeError(`tree size ${treeSize} is beyond the ${levels.size} events of the log`);
        if (treeSize === levels.size) return currentStreamHeads();
        return built.get(treeSize) ?? remember(treeSize, buildStreamHeads(await streamHeadsFromWitness(deps.sql, treeSize)));
      }),
    /** Index of the last leaf outside the audit service's own streams (−1 when none). */
    lastNonHeadIndex: () => lastNonHeadIndex,
    /** Where an event sits in the sealed order, if the witness has it. */
    indexOf: (eventId: string) => findWitnessByEventId(deps.sql, eventId),
    eventIdAt: async (idx: number) => (await readWitness(deps.sql, idx, 1)).find((r) => r.idx === idx)?.eventId,
  };
}

export type LeafLog = ReturnType<typeof createLeafLog>;
