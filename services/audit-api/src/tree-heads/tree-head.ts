import { canonicalize, type RecordedEvent } from '@gongguan/event-store';
import { z } from 'zod';

/** Tree heads are events too, in this stream, so the log seals its own seals. */
export const TREE_HEAD_STREAM = 'audit-tree-heads';
export const TREE_HEAD_EVENT = 'TreeHeadSealed';
/**
 * Streams the audit service writes about the log itself (tree heads, key activations, witness
 * cosignatures). They are sealed like every other stream, but they alone never make an idle log
 * due for a new seal — or a witness's cosignature would call for a seal that calls for a cosignature.
 */
export const AUDIT_STREAM_PREFIX = 'audit-';
export const isAuditBookkeeping = (stream: string): boolean => stream.startsWith(AUDIT_STREAM_PREFIX);
export const TREE_HEAD_KIND = 'gongguan-tree-head/v1';
/** Heads sealed since issue 17 also sign the stream-head tree (schema version 2 of TreeHeadSealed). */
export const TREE_HEAD_KIND_V2 = 'gongguan-tree-head/v2';
export const TREE_HEAD_SCHEMA_VERSION = 2;

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
  /**
   * Version 2: how many streams have an event among the covered leaves, and the root of the
   * stream-head tree over them (src/merkle/stream-heads.ts) — both signed, so a bundle proves each
   * stream it carries is whole as of the seal. Absent from version-1 heads.
   */
  streamCount: z.number().int().nonnegative().optional(),
  streamHeadsRoot: Hex64.optional(),
  /** Version 2: the C2SP checkpoint's origin, also the note key name of the log's signature. */
  origin: z.string().min(1).optional(),
  /** Version 2: the C2SP tlog-checkpoint as sealed — note text, blank line, the log key's Ed25519 note signature. */
  checkpoint: z.string().min(1).optional(),
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
 * `{"kind":"gongguan-tree-head/v2","rootHash":…,"sealedAt":…,"streamCount":…,"streamHeadsRoot":…,"treeSize":…}`
 * for a version-2 head, and of `{"kind":"gongguan-tree-head/v1","rootHash":…,"sealedAt":…,"treeSize":…}`
 * for a version-1 head (no stream heads).
 */
export function treeHeadStatement(head: Pick<TreeHeadData, 'treeSize' | 'rootHash' | 'sealedAt' | 'streamCount' | 'streamHeadsRoot'>): Buffer {
  const v2 = head.streamHeadsRoot !== undefined || head.streamCount !== undefined;
  const statement = v2
    ? { kind: TREE_HEAD_KIND_V2, rootHash: head.rootHash, sealedAt: head.sealedAt, streamCount: head.streamCount ?? -1, streamHeadsRoot: head.streamHeadsRoot ?? '', treeSize: head.treeSize }
    : { kind: TREE_HEAD_KIND, rootHash: head.rootHash, sealedAt: head.sealedAt, treeSize: head.treeSize };
  return Buffer.from(canonicalize(statement), 'utf8');
}

export function isTreeHeadEvent(event: Pick<RecordedEvent, 'stream' | 'type'>): boolean {
  return event.stream === TREE_HEAD_STREAM && event.type === TREE_HEAD_EVENT;
}

/** Reads a head back from its event; throws when the data is not a tree head. */
export function treeHeadFromEvent(event: RecordedEvent): TreeHead {
  return { ...TreeHeadData.parse(event.data), eventId: event.id, revision: event.revision, position: event.position };
}
