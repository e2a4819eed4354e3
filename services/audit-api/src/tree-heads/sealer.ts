import { randomUUID } from 'node:crypto';
import { isAppError } from '@gongguan/platform';
import type { EventStore } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import { checkpointText, formatNote, signNoteLine } from '../checkpoint/note.js';
import { signBytes, type TreeHeadKey } from '../keys/tree-head-key.js';
import type { LeafLog } from '../merkle/leaf-log.js';
import { TREE_HEAD_EVENT, TREE_HEAD_SCHEMA_VERSION, TREE_HEAD_STREAM, treeHeadFromEvent, treeHeadStatement, type TreeHead, type TreeHeadData } from './tree-head.js';

export interface SealRequest {
  actorId: string;
  actorRole: string;
  correlationId: string;
  reason?: string;
}

/** The latest sealed head, or undefined when none was sealed yet. */
export async function latestTreeHead(store: EventStore): Promise<TreeHead | undefined> {
  try {
    const [event] = await store.readStream(TREE_HEAD_STREAM, { direction: 'backwards', limit: 1 });
    return event === undefined ? undefined : treeHeadFromEvent(event);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return undefined;
    throw err;
  }
}

/**
 * Seals the log as it stands: brings the leaves up to date, signs the root of all of them and
 * appends the head as a `TreeHeadSealed` event. Nothing is sealed (the latest head is returned)
 * when everything since the latest head is tree heads, so periodic sealing of an idle log adds
 * nothing.
 */
export function createSealer(deps: { store: EventStore; leaves: LeafLog; key: TreeHeadKey; origin: string; logger: Logger; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  let queue: Promise<unknown> = Promise.resolve();

  async function sealNow(request: SealRequest): Promise<{ created: boolean; head: TreeHead }> {
    for (let attempt = 0; ; attempt++) {
      const { size, streamHeads } = await deps.leaves.catchUpWithStreamHeads();
      const latest = await latestTreeHead(deps.store);
      // An idle log is not sealed again — unless its latest head is a version-1 head (no stream heads).
      if (latest && latest.streamHeadsRoot !== undefined && deps.leaves.lastNonHeadIndex() < latest.treeSize && latest.treeSize <= size) return { created: false, head: latest };
      const rootHash = deps.leaves.levels.rootAt(size).toString('hex');
      const sealedAt = now().toISOString();
      const lastEventId = size === 0 ? null : ((await deps.leaves.eventIdAt(size - 1)) ?? null);
      const streamCount = streamHeads.count;
      const streamHeadsRoot = streamHeads.root.toString('hex');
      const text = checkpointText(deps.origin, size, rootHash);
      const data: TreeHeadData = {
        treeSize: size,
        rootHash,
        sealedAt,
        lastEventId,
        algorithm: 'Ed25519',
        keyId: deps.key.keyId,
        signature: signBytes(deps.key, treeHeadStatement({ treeSize: size, rootHash, sealedAt, streamCount, streamHeadsRoot })),
        streamCount,
        streamHeadsRoot,
        origin: deps.origin,
        checkpoint: formatNote(text, [signNoteLine(text, deps.origin, deps.key.privateKey, deps.key.publicKey)]),
      };
      try {
        const id = randomUUID();
        const result = await deps.store.append(
          TREE_HEAD_STREAM,
          [
            {
              id,
              type: TREE_HEAD_EVENT,
              schemaVersion: TREE_HEAD_SCHEMA_VERSION,
              data,
              metadata: {
                actorId: request.actorId,
                actorRole: request.actorRole,
                correlationId: request.correlationId,
                ...(request.reason ? { reason: request.reason } : {}),
              },
            },
          ],
          { expectedRevision: latest ? latest.revision : 'no_stream' },
        );
        deps.logger.info({ treeSize: size, rootHash, streamCount, position: result.position }, 'tree head sealed');
        return { created: true, head: { ...data, eventId: id, revision: result.nextRevision, position: result.position } };
      } catch (err) {
        // Another process sealed at the same moment: look again.
        if (attempt < 3 && isAppError(err) && err.code === 'CONCURRENCY_CONFLICT') continue;
        throw err;
      }
    }
  }

  return {
    seal(request: SealRequest): Promise<{ created: boolean; head: TreeHead }> {
      const run = queue.then(
        () => sealNow(request),
        () => sealNow(request),
      );
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

export type Sealer = ReturnType<typeof createSealer>;
