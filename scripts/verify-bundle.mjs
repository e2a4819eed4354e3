#!/usr/bin/env node
// Verifies a Gongguan audit bundle offline, with Node's standard library only: its own RFC 8785
// canonical JSON, SHA-256, RFC 6962 inclusion proofs and Ed25519. The format is specified in
// services/audit-api/README.md. Exit codes: 0 verified, 1 verification failed, 2 usage or unreadable bundle.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { verifyMoney } from './verify-bundle-money.mjs';

const FORMAT = 'gongguan-audit-bundle/1';
const TREE_HEAD_KIND = 'gongguan-tree-head/v1';
const TREE_HEAD_KIND_V2 = 'gongguan-tree-head/v2';
const GENESIS = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

function usage(message) {
  process.stderr.write(`${message}\nusage: node scripts/verify-bundle.mjs <bundle-dir> [--key-id <hex sha-256 of the raw Ed25519 public key>]\n`);
  process.exit(2);
}

/** RFC 8785: members sorted by UTF-16 code units, no whitespace, primitives as ECMAScript JSON writes them. */
function jcs(value) {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('non-finite number has no canonical form');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(jcs).join(',')}]`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${jcs(value[k])}`).join(',')}}`;
  }
  throw new Error(`no canonical form for ${typeof value}`);
}

const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const leafHash = (eventHashHex) => sha256(Buffer.from([0]), Buffer.from(eventHashHex, 'hex'));
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

/** RFC 9162 §2.1.3.2. */
function verifyInclusion(leaf, index, size, path, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else r = nodeHash(r, p);
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const keyIdArg = args.includes('--key-id') ? args[args.indexOf('--key-id') + 1] : undefined;
if (!dir) usage('no bundle directory given');
if (!existsSync(join(dir, 'manifest.json'))) usage(`${dir} has no manifest.json`);

const failures = [];
const fail = (what) => failures.push(what);
const say = (line) => process.stdout.write(`${line}\n`);
const read = (name) => readFileSync(join(dir, name));

let manifest;
try {
  manifest = JSON.parse(read('manifest.json').toString('utf8'));
} catch (err) {
  usage(`manifest.json is not JSON: ${err.message}`);
}
if (manifest.format !== FORMAT) fail(`manifest format is ${JSON.stringify(manifest.format)}, expected ${FORMAT}`);

// 1. Every file is the one the manifest lists.
const required = ['events.ndjson', 'proofs.ndjson', 'tree-head.json', 'public-key.pem'];
const listed = new Map((manifest.files ?? []).map((f) => [f.name, f]));
for (const name of required) if (!listed.has(name)) fail(`manifest does not list ${name}`);
for (const [name, f] of listed) {
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) { fail(`manifest lists an unsafe file name ${name}`); continue; }
  if (!existsSync(join(dir, name))) { fail(`${name} is missing`); continue; }
  const bytes = read(name);
  const digest = sha256(bytes).toString('hex');
  if (digest !== f.sha256) fail(`${name}: SHA-256 ${digest} differs from the manifest's ${f.sha256}`);
  else if (bytes.length !== f.bytes) fail(`${name}: ${bytes.length} bytes, the manifest says ${f.bytes}`);
}
say(`files: ${listed.size} listed in the manifest, SHA-256 ${failures.length === 0 ? 'all match' : 'checked'}`);

// 2. The public key and the signed tree head.
const publicKey = createPublicKey(read('public-key.pem'));
if (publicKey.asymmetricKeyType !== 'ed25519') fail(`the public key is ${publicKey.asymmetricKeyType}, not Ed25519`);
const spki = publicKey.export({ format: 'der', type: 'spki' });
const keyId = sha256(spki.subarray(spki.length - 32)).toString('hex');
const head = JSON.parse(read('tree-head.json').toString('utf8'));
if (head.keyId !== keyId) fail(`the tree head names key ${head.keyId}, the bundle's key is ${keyId}`);
if (keyIdArg && keyIdArg !== keyId) fail(`the bundle's key ${keyId} is not the key you expected (${keyIdArg})`);
if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0 || !HEX64.test(head.rootHash ?? '')) fail('the tree head has no valid treeSize / rootHash');
const statement = Buffer.from(jcs(head.streamHeadsRoot !== undefined || head.streamCount !== undefined
  ? { kind: TREE_HEAD_KIND_V2, rootHash: head.rootHash, sealedAt: head.sealedAt, streamCount: head.streamCount, streamHeadsRoot: head.streamHeadsRoot, treeSize: head.treeSize }
  : { kind: TREE_HEAD_KIND, rootHash: head.rootHash, sealedAt: head.sealedAt, treeSize: head.treeSize }), 'utf8');
const signed = verify(null, statement, publicKey, Buffer.from(String(head.signature), 'base64'));
if (!signed) fail('the tree head signature does not verify with the bundle\'s public key');
if (manifest.treeHead?.rootHash !== head.rootHash || manifest.treeHead?.treeSize !== head.treeSize) fail('the manifest and tree-head.json disagree about the tree head');
say(`tree head: ${head.treeSize} events, root ${head.rootHash}, sealed ${head.sealedAt}, Ed25519 key ${keyId}${keyIdArg ? ' (as expected)' : ' (pass --key-id to pin it)'}: signature ${signed ? 'valid' : 'INVALID'}`);

// 3. Every event re-hashes, chains, and is proven in the tree.
const lines = (name) => read(name).toString('utf8').split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l));
const events = lines('events.ndjson');
const proofs = new Map(lines('proofs.ndjson').map((p) => [p.eventId, p]));
const root = Buffer.from(head.rootHash ?? '', 'hex');
const lastOf = new Map();
let rehashed = 0, chained = 0, proven = 0, lastIndex = -1, lastPosition = '';
for (const e of events) {
  const name = `event ${e.id} (${e.stream}@${e.revision})`;
  const text = jcs({ data: e.data, id: e.id, metadata: e.metadata, prevHash: e.prevHash, revision: e.revision, schemaVersion: e.schemaVersion, stream: e.stream, type: e.type });
  const hash = sha256(Buffer.from(text, 'utf8')).toString('hex');
  if (hash !== e.hash) { fail(`${name}: its hash does not recompute (${hash} ≠ ${e.hash})`); continue; }
  rehashed++;
  if (e.position <= lastPosition) fail(`${name}: events are not in store order`);
  lastPosition = e.position;
  const prev = lastOf.get(e.stream);
  if (e.revision === 0 && e.prevHash !== GENESIS) fail(`${name}: revision 0 must start from the genesis hash`);
  else if (prev && prev.revision + 1 === e.revision && prev.hash !== e.prevHash) fail(`${name}: prevHash is not the hash of revision ${prev.revision}`);
  else if (e.revision === 0 || (prev && prev.revision + 1 === e.revision)) chained++;
  if (prev && prev.revision >= e.revision) fail(`${name}: revisions of ${e.stream} go backwards`);
  lastOf.set(e.stream, e);
  const proof = proofs.get(e.id);
  if (!proof) { fail(`${name}: no inclusion proof`); continue; }
  if (proof.treeSize !== head.treeSize) { fail(`${name}: proof is for tree size ${proof.treeSize}, the head is ${head.treeSize}`); continue; }
  if (proof.leafIndex <= lastIndex) fail(`${name}: leaf indices are not increasing in store order`);
  lastIndex = proof.leafIndex;
  const ok = Array.isArray(proof.path) && proof.path.every((p) => HEX64.test(p))
    && verifyInclusion(leafHash(e.hash), proof.leafIndex, head.treeSize, proof.path.map((p) => Buffer.from(p, 'hex')), root);
  if (!ok) fail(`${name}: the inclusion proof does not lead to the signed root`);
  else proven++;
}
if (manifest.events !== events.length) fail(`the manifest says ${manifest.events} events, events.ndjson has ${events.length}`);
say(`events: ${events.length} in ${lastOf.size} streams; ${rehashed} re-hashed (RFC 8785 + SHA-256), ${chained} linked to their predecessor (or genesis) in the bundle, ${proven} proven in the signed tree (RFC 6962)`);
if (manifest.eventsAfterTreeHead > 0) say(`note: ${manifest.eventsAfterTreeHead} later event(s) of this ${manifest.scope?.kind} were recorded after the tree head and are not in the bundle`);

// 4. The money (issue 17 item 2): R1, R2 and R3 recomputed from the events, every recorded amount
// checked to the fen (scripts/verify-bundle-money.mjs). Whether the bundle carries every stream the
// money depends on, complete, is the bundle's own check (requiredStreams); the money of a stream
// that is not complete here is not replayed, and is listed.
{
  const money = verifyMoney(events, { partial: 'skip' });
  for (const f of money.failures) fail(`money: ${f}`);
  say(`money: ${money.summary}`);
  if (money.checked.incompleteStreams.length > 0) say(`  not replayed (incomplete in this bundle): ${money.checked.incompleteStreams.join(', ')}`);
}

if (failures.length > 0) {
  say(`FAILED: ${failures.length} problem(s)`);
  for (const f of failures.slice(0, 50)) say(`  - ${f}`);
  process.exit(1);
}
say(`OK: the bundle for ${manifest.scope?.kind} ${manifest.scope?.id} verifies`);
