import { hash } from 'node:crypto';
import { MerkleLevels } from './levels.js';

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

export function streamHeadLeaf(head: StreamHead): Buffer {
  const text = streamHeadLeafText(head);
  const input = Buffer.allocUnsafe(1 + Buffer.byteLength(text, 'utf8'));
  input[0] = 0;
  input.write(text, 1, 'utf8');
  return hash('sha256', input, 'buffer');
}

/** ASCII names (every stream Gongguan writes) sort the same by code unit and by UTF-8 byte. */
// eslint-disable-next-line no-control-regex
const ASCII = /^[\u0000-\u007f]*$/;

/** Sorts heads by the UTF-8 bytes of their stream names. */
function sortByUtf8(heads: StreamHead[]): StreamHead[] {
  if (heads.every((h) => ASCII.test(h.stream))) return heads.sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  const keyed = heads.map((h) => ({ h, key: Buffer.from(h.stream, 'utf8') }));
  keyed.sort((a, b) => Buffer.compare(a.key, b.key));
  return keyed.map((k) => k.h);
}

/** Builds the stream-head tree over `heads` (one per stream, any order). */
export function buildStreamHeads(heads: Iterable<StreamHead>): StreamHeads {
  const sorted = sortByUtf8([...heads]);
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
