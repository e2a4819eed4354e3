import { createHash, hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 Merkle tree over event hashes in store order.
 * leaf = SHA-256(0x00 ‖ eventHash), node = SHA-256(0x01 ‖ left ‖ right), where `eventHash` is the
 * 32 raw bytes of the event's hex `hash`. The empty tree's root is SHA-256 of nothing.
 */

export function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

// Scratch inputs for the two hashes the tree computes per leaf (one-shot `crypto.hash`, which
// copies nothing out of them after it returns).
const leafInput = Buffer.alloc(33);
const nodeInput = Buffer.alloc(65);
nodeInput[0] = 1;

export function leafHash(eventHashHex: string): Buffer {
  if (!HEX64.test(eventHashHex)) throw new Error(`not a SHA-256 hex digest: ${eventHashHex}`);
  return leafHashOfChecked(eventHashHex);
}

/** {@link leafHash} for a digest the caller has already checked against {@link HEX64}. */
export function leafHashOfChecked(eventHashHex: string): Buffer {
  leafInput.write(eventHashHex, 1, 32, 'hex');
  return hash('sha256', leafInput, 'buffer');
}

/** A SHA-256 digest as stored: 64 lower-case hex digits. */
export const HEX64 = /^[0-9a-f]{64}$/;

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  left.copy(nodeInput, 1, 0, 32);
  right.copy(nodeInput, 33, 0, 32);
  return hash('sha256', nodeInput, 'buffer');
}

/** Largest power of two strictly below n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over leaf hashes [from, to). */
function subtreeRoot(leaves: readonly Buffer[], from: number, to: number): Buffer {
  const n = to - from;
  if (n === 0) return sha256();
  if (n === 1) return leaves[from]!;
  const k = split(n);
  return nodeHash(subtreeRoot(leaves, from, from + k), subtreeRoot(leaves, from + k, to));
}

/**
 * Root of the tree over `leaves` (already leaf-hashed), computed left to right with a stack so a
 * million leaves need no recursion and O(log n) memory beyond the input.
 */
export function treeRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  const builder = new RootBuilder();
  for (const leaf of leaves) builder.push(leaf);
  return builder.root();
}

/** Incremental root: push leaf hashes in order, ask for the root at any size. */
export class RootBuilder {
  // stack[i] is the root of a complete subtree of size sizes[i]; sizes strictly decrease.
  private readonly stack: Buffer[] = [];
  private readonly sizes: number[] = [];
  size = 0;

  push(leaf: Buffer): void {
    let node = leaf;
    let size = 1;
    while (this.sizes.length > 0 && this.sizes[this.sizes.length - 1] === size) {
      node = nodeHash(this.stack.pop()!, node);
      size += this.sizes.pop()!;
    }
    this.stack.push(node);
    this.sizes.push(size);
    this.size++;
  }

  root(): Buffer {
    if (this.stack.length === 0) return sha256();
    let node = this.stack[this.stack.length - 1]!;
    for (let i = this.stack.length - 2; i >= 0; i--) node = nodeHash(this.stack[i]!, node);
    return node;
  }
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1: the audit path proving leaf `index` is in the tree. */
export function inclusionProof(leaves: readonly Buffer[], index: number): Buffer[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} is outside a tree of ${leaves.length}`);
  const path: Buffer[] = [];
  let from = 0;
  let to = leaves.length;
  let m = index;
  const stack: Buffer[] = [];
  while (to - from > 1) {
    const k = split(to - from);
    if (m < k) {
      stack.push(subtreeRoot(leaves, from + k, to));
      to = from + k;
    } else {
      stack.push(subtreeRoot(leaves, from, from + k));
      from += k;
      m -= k;
    }
  }
  // PATH lists siblings from the leaf upwards; we collected them from the root down.
  while (stack.length > 0) path.push(stack.pop()!);
  return path;
}

/** PROOF(m, D[n]) of RFC 6962 §2.1.2: proves the tree of size `oldSize` is a prefix of this one. */
export function consistencyProof(leaves: readonly Buffer[], oldSize: number): Buffer[] {
  const n = leaves.length;
  if (oldSize < 0 || oldSize > n) throw new RangeError(`old size ${oldSize} is outside 0..${n}`);
  if (oldSize === 0 || oldSize === n) return [];
  const proof: Buffer[] = [];
  const subproof = (m: number, from: number, to: number, complete: boolean): void => {
    const size = to - from;
    if (m === size) {
      if (!complete) proof.unshift(subtreeRoot(leaves, from, to));
      return;
    }
    const k = split(size);
    if (m <= k) {
      proof.unshift(subtreeRoot(leaves, from + k, to));
      subproof(m, from, from + k, complete);
    } else {
      proof.unshift(subtreeRoot(leaves, from, from + k));
      subproof(m - k, from + k, to, false);
    }
  };
  subproof(oldSize, 0, n, true);
  return proof;
}

/** RFC 9162 §2.1.3.2: checks an inclusion proof against a root. */
export function verifyInclusion(leaf: Buffer, index: number, treeSize: number, proof: readonly Buffer[], root: Buffer): boolean {
  if (index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2: checks that `oldRoot` (size m) is a prefix of `newRoot` (size n). */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Buffer[],
  oldRoot: Buffer,
  newRoot: Buffer,
): boolean {
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && oldRoot.equals(newRoot);
  if (oldSize === 0) return proof.length === 0;
  let path = [...proof];
  // When the old tree is a complete left subtree, its root is the implicit first element.
  if ((oldSize & (oldSize - 1)) === 0) path = [oldRoot, ...path];
  if (path.length === 0) return false;
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(oldRoot) && sr.equals(newRoot);
}
