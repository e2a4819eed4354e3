import { MerkleLevels } from './levels.js';
import { sha256 } from './tree.js';

/** The last event of one stream as of a tree size: what a sealed head commits to for that stream. */
export interface StreamHead {
  stream: string;
  revision: number;
  hash: string;
}

/** A stream's place in the stream-head tree, with its RFC 6962 inclusion path. */
export interface StreamHeadProof extends StreamHead {
  index: number;
  path: Buffer[];
}

/**
 * The stream-head tree of a tree head: one leaf per stream that has an event among the head's
 * leaves, holding its highest revision there and that event's hash. A head signs its root with the
 * log root, so a bundle can prove that it carries a stream whole — first event to last — as of the
 * seal, and a verifier sees any event missing from it.
 *
 * Leaf = SHA-256(0x00 ‖ UTF-8 of the RFC 8785 JSON `{"hash":…,"revision":…,"stream":…}`); the
 * leaves are ordered by the UTF-8 bytes of the stream names; the tree is RFC 6962's.
 */
export interface StreamHeads {
  count: number;
  root: Buffer;
  head(stream: string): StreamHeadProof | undefined;
}

/** The exact bytes of a stream-head leaf (RFC 8785: members in code-unit order, JSON strings). */
export function streamHeadLeafText(head: StreamHead): string {
  return `{"hash":${JSON.stringify(head.hash)},"revision":${head.revision},"stream":${JSON.stringify(head.stream)}}`;
}

const LEAF_PREFIX = Buffer.from([0]);

export function streamHeadLeaf(head: StreamHead): Buffer {
  return sha256(LEAF_PREFIX, Buffer.from(streamHeadLeafText(head), 'utf8'));
}

const byUtf8 = (a: StreamHead, b: StreamHead): number => Buffer.compare(Buffer.from(a.stream, 'utf8'), Buffer.from(b.stream, 'utf8'));

/** Builds the stream-head tree over `heads` (one per stream, any order). */
export function buildStreamHeads(heads: Iterable<StreamHead>): StreamHeads {
  const sorted = [...heads].sort(byUtf8);
  const levels = new MerkleLevels();
  const indexOf = new Map<string, number>();
  sorted.forEach((h, i) => {
    if (indexOf.has(h.stream)) throw new Error(`stream ${h.stream} has two heads`);
    indexOf.set(h.stream, i);
    levels.push(streamHeadLeaf(h));
  });
  const count = sorted.length;
  return {
    count,
    root: levels.rootAt(count),
    head(stream) {
      const index = indexOf.get(stream);
      if (index === undefined) return undefined;
      const h = sorted[index]!;
      return { stream: h.stream, revision: h.revision, hash: h.hash, index, path: levels.inclusionProof(index, count) };
    },
  };
}
