import { canonicalize, type RecordedEvent } from '@gongguan/event-store';
import { z } from 'zod';

/** Tree heads are events too, in this stream, so the log seals its own seals. */
export const TREE_HEAD_STREAM = 'audit-tree-heads';
export const TREE_HEAD_EVENT = 'TreeHeadSealed';
export const TREE_HEAD_KIND = 'gongguan-tree-head/v1';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lower-case hex digits');

/**
 * The data of a `TreeHeadSealed` event. `treeSize` counts the events *before* the seal: the head
 * covers leaves 0 … treeSize − 1 of the log in store order and never itself (its own event lands
 * at a place ≥ treeSize, later heads cover it).
 */
export const TreeHeadData = z.strictObject({
  treeSize: z.number().int().nonnegative(),
  rootHash: Hex64,
  sealedAt: z.iso.datetime({ offset: true }),
  /** Id of leaf treeSize − 1, null for the empty tree: where the head ends, by name. */
  lastEventId: z.string().nullable(),
  algorithm: z.literal('Ed25519'),
  keyId: Hex64,
  /** Base64 Ed25519 signature over {@link treeHeadStatement}. */
  signature: z.string().min(1),
});
export type TreeHeadData = z.infer<typeof TreeHeadData>;

/** A head as the API and bundles show it: its data plus where its own event sits. */
export const TreeHead = TreeHeadData.extend({
  eventId: z.string(),
  revision: z.number().int().nonnegative(),
  position: z.string(),
});
export type TreeHead = z.infer<typeof TreeHead>;

/**
 * The exact bytes signed: UTF-8 of the RFC 8785 canonical JSON of
 * `{"kind":"gongguan-tree-head/v1","rootHash":…,"sealedAt":…,"treeSize":…}`.
 */
export function treeHeadStatement(head: Pick<TreeHeadData, 'treeSize' | 'rootHash' | 'sealedAt'>): Buffer {
  return Buffer.from(canonicalize({ kind: TREE_HEAD_KIND, rootHash: head.rootHash, sealedAt: head.sealedAt, treeSize: head.treeSize }), 'utf8');
}

export function isTreeHeadEvent(event: Pick<RecordedEvent, 'stream' | 'type'>): boolean {
  return event.stream === TREE_HEAD_STREAM && event.type === TREE_HEAD_EVENT;
}

/** Reads a head back from its event; throws when the data is not a tree head. */
export function treeHeadFromEvent(event: RecordedEvent): TreeHead {
  return { ...TreeHeadData.parse(event.data), eventId: event.id, revision: event.revision, position: event.position };
}
