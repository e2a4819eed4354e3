import { nodeHash, sha256 } from './tree.js';

/** A growable array of 32-byte hashes in one buffer (a million leaves are one allocation, not a million). */
class HashArray {
  private buf = Buffer.allocUnsafe(32 * 1024);
  count = 0;

  push(hash: Buffer): void {
    if ((this.count + 1) * 32 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.count * 32);
      this.buf = bigger;
    }
    hash.copy(this.buf, this.count * 32);
    this.count++;
  }

  get(i: number): Buffer {
    return this.buf.subarray(i * 32, i * 32 + 32);
  }
}

/**
 * Every complete subtree of an RFC 6962 tree, level by level, built incrementally as leaves are
 * pushed: level 0 holds the leaf hashes, level l node k is MTH of leaves [k·2^l, (k+1)·2^l).
 * Any root, inclusion path or consistency proof for a tree of size ≤ `size` is then O(log² n)
 * lookups and hashes, never a recomputation of the leaves.
 */
export class MerkleLevels {
  private readonly levels: HashArray[] = [new HashArray()];

  get size(): number {
    return this.levels[0]!.count;
  }

  leaf(index: number): Buffer {
    if (index < 0 || index >= this.size) throw new RangeError(`leaf ${index} is outside a tree of ${this.size}`);
    return this.levels[0]!.get(index);
  }

  push(leaf: Buffer): void {
    this.levels[0]!.push(leaf);
    let level = 0;
    while (this.levels[level]!.count % 2 === 0) {
      const nodes = this.levels[level]!;
      const parent = nodeHash(nodes.get(nodes.count - 2), nodes.get(nodes.count - 1));
      level++;
      if (this.levels.length === level) this.levels.push(new HashArray());
      this.levels[level]!.push(parent);
    }
  }

  /** MTH of leaves [from, to); the RFC's recursion only asks for aligned left subtrees. */
  root(from: number, to: number): Buffer {
    if (to > this.size || from < 0 || from > to) throw new RangeError(`range [${from}, ${to}) is outside a tree of ${this.size}`);
    const n = to - from;
    if (n === 0) return sha256();
    if ((n & (n - 1)) === 0 && from % n === 0) return this.levels[Math.log2(n)]!.get(from / n);
    let k = 1;
    while (k * 2 < n) k *= 2;
    return nodeHash(this.root(from, from + k), this.root(from + k, to));
  }

  /** Root of the tree of the first `size` leaves. */
  rootAt(size: number): Buffer {
    return this.root(0, size);
  }

  /** PATH(index, D[treeSize]) of RFC 6962 §2.1.1, leaf's sibling first. */
  inclusionProof(index: number, treeSize: number): Buffer[] {
    if (treeSize > this.size) throw new RangeError(`tree size ${treeSize} is beyond the ${this.size} leaves known`);
    if (index < 0 || index >= treeSize) throw new RangeError(`leaf ${index} is outside a tree of ${treeSize}`);
    const fromRoot: Buffer[] = [];
    let from = 0;
    let to = treeSize;
    while (to - from > 1) {
      let k = 1;
      while (k * 2 < to - from) k *= 2;
      if (index < from + k) {
        fromRoot.push(this.root(from + k, to));
        to = from + k;
      } else {
        fromRoot.push(this.root(from, from + k));
        from += k;
      }
    }
    return fromRoot.reverse();
  }

  /** PROOF(oldSize, D[newSize]) of RFC 6962 §2.1.2. */
  consistencyProof(oldSize: number, newSize: number): Buffer[] {
    if (newSize > this.size) throw new RangeError(`tree size ${newSize} is beyond the ${this.size} leaves known`);
    if (oldSize < 0 || oldSize > newSize) throw new RangeError(`old size ${oldSize} is outside 0..${newSize}`);
    if (oldSize === 0 || oldSize === newSize) return [];
    const proof: Buffer[] = [];
    let m = oldSize;
    let from = 0;
    let to = newSize;
    let complete = true;
    while (m !== to - from) {
      let k = 1;
      while (k * 2 < to - from) k *= 2;
      if (m <= k) {
        proof.push(this.root(from + k, to));
        to = from + k;
      } else {
        proof.push(this.root(from, from + k));
        from += k;
        m -= k;
        complete = false;
      }
    }
    if (!complete) proof.push(this.root(from, to));
    return proof.reverse();
  }
}
