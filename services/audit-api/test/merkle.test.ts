import { createHash } from 'node:crypto';
import t from 'tap';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  RootBuilder,
  sha256,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from '../src/merkle/tree.js';

const eventHash = (i: number) => createHash('sha256').update(`event-${i}`).digest('hex');
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(eventHash(i)));

/** The definition of RFC 6962 §2.1, written recursively and separately from the stack version. */
function mth(ls: Buffer[]): Buffer {
  if (ls.length === 0) return sha256();
  if (ls.length === 1) return ls[0]!;
  let k = 1;
  while (k * 2 < ls.length) k *= 2;
  return nodeHash(mth(ls.slice(0, k)), mth(ls.slice(k)));
}

t.test('leaf and node hashing follow RFC 6962 domain separation', async (t) => {
  const h = eventHash(0);
  t.equal(leafHash(h).toString('hex'), createHash('sha256').update(Buffer.concat([Buffer.from([0]), Buffer.from(h, 'hex')])).digest('hex'));
  t.equal(treeRoot([]).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.throws(() => leafHash('zz'));
});

t.test('the stack-built root equals the recursive definition for sizes 1..70', async (t) => {
  for (let n = 1; n <= 70; n++) t.ok(treeRoot(leaves(n)).equals(mth(leaves(n))), `size ${n}`);
});

t.test('the incremental builder gives every prefix root', async (t) => {
  const ls = leaves(33);
  const b = new RootBuilder();
  ls.forEach((l, i) => {
    b.push(l);
    t.ok(b.root().equals(mth(ls.slice(0, i + 1))));
  });
});

t.test('every inclusion proof verifies, and fails for another leaf, index or root', async (t) => {
  for (const n of [1, 2, 3, 5, 8, 13, 31]) {
    const ls = leaves(n);
    const root = treeRoot(ls);
    for (let i = 0; i < n; i++) {
      const proof = inclusionProof(ls, i);
      t.ok(verifyInclusion(ls[i]!, i, n, proof, root), `n=${n} i=${i}`);
      if (n > 1) t.notOk(verifyInclusion(ls[(i + 1) % n]!, i, n, proof, root), `wrong leaf n=${n} i=${i}`);
      t.notOk(verifyInclusion(ls[i]!, i, n, proof, sha256(Buffer.from('x'))), 'wrong root');
    }
  }
});

t.test('every consistency proof verifies, and a forked history does not', async (t) => {
  for (const n of [1, 2, 3, 4, 7, 8, 9, 20]) {
    const ls = leaves(n);
    const newRoot = treeRoot(ls);
    for (let m = 1; m <= n; m++) {
      const proof = consistencyProof(ls, m);
      const oldRoot = treeRoot(ls.slice(0, m));
      t.ok(verifyConsistency(m, n, proof, oldRoot, newRoot), `m=${m} n=${n}`);
      const forked = [...ls.slice(0, m - 1), leafHash(eventHash(1000 + m))];
      if (m < n) t.notOk(verifyConsistency(m, n, proof, treeRoot(forked), newRoot), `forked m=${m} n=${n}`);
    }
  }
});
