import { appError } from '@gongguan/platform';
import type { EventStore } from '@gongguan/event-store';
import type { AuditContext } from '../routes/context.js';
import { latestTreeHead } from '../tree-heads/sealer.js';
import { TREE_HEAD_STREAM, treeHeadFromEvent, type TreeHead } from '../tree-heads/tree-head.js';
import { cosignatureLines } from './cosignatures.js';

/** First line of a C2SP tlog-proof. */
export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';

/**
 * The head whose `treeSize` is `treeSize`, or undefined. Each seal covers more leaves than the one
 * before (it covers at least the previous head's own event), so sizes increase with the revision
 * in `audit-tree-heads` and a binary search reads O(log heads) events.
 */
export async function headOfSize(store: EventStore, treeSize: number): Promise<TreeHead | undefined> {
  const latest = await latestTreeHead(store);
  if (!latest || treeSize > latest.treeSize) return undefined;
  if (latest.treeSize === treeSize) return latest;
  let lo = 0;
  let hi = latest.revision - 1;
  while (lo <= hi) {
    const mid = Math.floor((lo + hi) / 2);
    const [event] = await store.readStream(TREE_HEAD_STREAM, { fromRevision: mid, limit: 1 });
    if (!event) return undefined;
    const head = treeHeadFromEvent(event);
    if (head.treeSize === treeSize) return head;
    if (head.treeSize < treeSize) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * The head's checkpoint as served: the signed note stored at seal time, then any witness
 * cosignatures. 404 when `head` is missing or was sealed before checkpoints (a version-1 head).
 */
export async function servedCheckpoint(ctx: AuditContext, head: TreeHead | undefined, what: string): Promise<{ head: TreeHead; checkpoint: string }> {
  if (!head) throw appError('NOT_FOUND', `没有这个树头 / no tree head ${what}`);
  if (head.checkpoint === undefined) {
    throw appError('NOT_FOUND', `树头 ${head.treeSize} 封存于检查点之前（第 1 版），没有 C2SP 检查点；再封存一次即有 / the tree head of size ${head.treeSize} was sealed before checkpoints (version 1) and has none; the next seal has one`);
  }
  return { head, checkpoint: head.checkpoint + (await cosignatureLines(ctx, head.treeSize)).join('') };
}

/** The head of size `treeSize`, or the latest head when it is undefined. */
export async function headFor(store: EventStore, treeSize: number | undefined): Promise<TreeHead | undefined> {
  return treeSize === undefined ? latestTreeHead(store) : headOfSize(store, treeSize);
}

/**
 * C2SP tlog-proof (https://c2sp.org/tlog-proof): header, `index <n>`, the RFC 6962 inclusion path
 * in base64 from the leaf's sibling up, a blank line, then the checkpoint verbatim. No `extra` line.
 */
export function tlogProofText(index: number, path: readonly Buffer[], checkpoint: string): string {
  return `${TLOG_PROOF_HEADER}\nindex ${index}\n${path.map((h) => `${h.toString('base64')}\n`).join('')}\n${checkpoint}`;
}

/**
 * The body of a C2SP tlog-witness `add-checkpoint` request (https://c2sp.org/tlog-witness):
 * `old <size>`, the RFC 6962 consistency proof in base64 (empty when old is 0), a blank line, the
 * checkpoint. What a witness takes, and what anyone can check with Go's `tlog.CheckTree`.
 */
export function addCheckpointBody(oldSize: number, proof: readonly Buffer[], checkpoint: string): string {
  return `old ${oldSize}\n${proof.map((h) => `${h.toString('base64')}\n`).join('')}\n${checkpoint}`;
}
