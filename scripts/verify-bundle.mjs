#!/usr/bin/env node
// Verifies a Gongguan audit bundle offline, with Node's standard library only: its own RFC 8785
// canonical JSON, SHA-256, RFC 6962 inclusion proofs, Ed25519 and C2SP signed notes. The format
// and every step are specified in services/audit-api/README.md ("Audit bundle format").
// Exit codes: 0 verified, 1 verification failed, 2 usage or unreadable bundle.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { Buffer } from 'node:buffer';
import { closureReferences, projectBureaus, requiredStreamReasons, verifyMoney } from './verify-bundle-money.mjs';

const FORMAT_V1 = 'gongguan-audit-bundle/1';
const FORMAT_V2 = 'gongguan-audit-bundle/2';
const GENESIS = '0'.repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;

function usage(message) {
  process.stderr.write(`${message}\nusage: node scripts/verify-bundle.mjs <bundle-dir> [--key-id <hex sha-256 of the raw Ed25519 public key>] [--accept-incomplete] [--require-evidence]\n`);
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
const leafOf = (bytes) => sha256(Buffer.from([0]), bytes);
const eventLeaf = (eventHashHex) => leafOf(Buffer.from(eventHashHex, 'hex'));
const streamHeadLeaf = (h) => leafOf(Buffer.from(jcs({ hash: h.hash, revision: h.revision, stream: h.stream }), 'utf8'));
const nodeHash = (l, r) => sha256(Buffer.from([1]), l, r);

/** RFC 9162 §2.1.3.2. */
function verifyInclusion(leaf, index, size, path, root) {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
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
const hexPath = (path) => (Array.isArray(path) && path.every((p) => HEX64.test(p)) ? path.map((p) => Buffer.from(p, 'hex')) : null);

const args = process.argv.slice(2);
const dir = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--key-id');
const keyIdArg = args.includes('--key-id') ? args[args.indexOf('--key-id') + 1] : undefined;
const acceptIncomplete = args.includes('--accept-incomplete');
const requireEvidence = args.includes('--require-evidence');
if (!dir) usage('no bundle directory given');
if (!existsSync(join(dir, 'manifest.json'))) usage(`${dir} has no manifest.json`);

const failures = [];
const fail = (what) => failures.push(what);
const say = (line) => process.stdout.write(`${line}\n`);
const read = (name) => readFileSync(join(dir, name));
const ndjson = (name) => {
  const out = [];
  for (const [i, line] of read(name).toString('utf8').split('\n').entries()) {
    if (line.length === 0) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      fail(`${name} line ${i + 1} is not JSON`);
    }
  }
  return out;
};

let manifest;
try {
  manifest = JSON.parse(read('manifest.json').toString('utf8'));
} catch (err) {
  usage(`manifest.json is not JSON: ${err.message}`);
}
const v2 = manifest.format === FORMAT_V2;
if (!v2 && manifest.format !== FORMAT_V1) fail(`manifest format is ${JSON.stringify(manifest.format)}, expected ${FORMAT_V2}`);

// 1. Every file is the one the manifest lists.
const required = ['events.ndjson', 'proofs.ndjson', 'tree-head.json', 'public-key.pem', ...(v2 ? ['stream-heads.ndjson', 'checkpoint.txt'] : [])];
const listed = new Map((manifest.files ?? []).map((f) => [f.name, f]));
for (const name of required) if (!listed.has(name)) fail(`manifest does not list ${name}`);
for (const [name, f] of listed) {
  if (typeof name !== 'string' || name.includes('/') || name.includes('\\') || name.startsWith('.')) { fail(`manifest lists an unsafe file name ${name}`); continue; }
  if (!existsSync(join(dir, name))) { fail(`${name} is missing`); continue; }
  const bytes = read(name);
  const digest = sha256(bytes).toString('hex');
  if (digest !== f.sha256) fail(`${name}: SHA-256 ${digest} differs from the manifest's ${f.sha256}`);
  else if (bytes.length !== f.bytes) fail(`${name}: ${bytes.length} bytes, the manifest says ${f.bytes}`);
}
for (const name of required) if (!existsSync(join(dir, name))) usage(`${dir} has no ${name}: not a ${v2 ? FORMAT_V2 : FORMAT_V1} bundle`);
say(`files: ${listed.size} listed in the manifest, SHA-256 ${failures.length === 0 ? 'all match' : 'checked'}`);

// 2. The public key and the signed tree head.
const publicKey = createPublicKey(read('public-key.pem'));
if (publicKey.asymmetricKeyType !== 'ed25519') fail(`the public key is ${publicKey.asymmetricKeyType}, not Ed25519`);
const spki = publicKey.export({ format: 'der', type: 'spki' });
const rawKey = spki.subarray(spki.length - 32);
const keyId = sha256(rawKey).toString('hex');
const head = JSON.parse(read('tree-head.json').toString('utf8'));
if (head.keyId !== keyId) fail(`the tree head names key ${head.keyId}, the bundle's key is ${keyId}`);
if (keyIdArg && keyIdArg !== keyId) fail(`the bundle's key ${keyId} is not the key you expected (${keyIdArg})`);
if (!Number.isSafeInteger(head.treeSize) || head.treeSize < 0 || !HEX64.test(head.rootHash ?? '')) fail('the tree head has no valid treeSize / rootHash');
if (v2 && (!Number.isSafeInteger(head.streamCount) || head.streamCount < 0 || !HEX64.test(head.streamHeadsRoot ?? ''))) fail('the tree head has no valid streamCount / streamHeadsRoot: it is not a v2 head');
const statement = v2
  ? { kind: 'gongguan-tree-head/v2', rootHash: head.rootHash, sealedAt: head.sealedAt, streamCount: head.streamCount, streamHeadsRoot: head.streamHeadsRoot, treeSize: head.treeSize }
  : { kind: 'gongguan-tree-head/v1', rootHash: head.rootHash, sealedAt: head.sealedAt, treeSize: head.treeSize };
let signed = false;
try {
  signed = verify(null, Buffer.from(jcs(statement), 'utf8'), publicKey, Buffer.from(String(head.signature), 'base64'));
} catch {
  signed = false;
}
if (!signed) fail(`the tree head's ${statement.kind} signature does not verify with the bundle's public key`);
const mh = manifest.treeHead ?? {};
if (mh.rootHash !== head.rootHash || mh.treeSize !== head.treeSize || mh.keyId !== head.keyId) fail('the manifest and tree-head.json disagree about the tree head');
if (v2 && (mh.streamCount !== head.streamCount || mh.streamHeadsRoot !== head.streamHeadsRoot)) fail('the manifest and tree-head.json disagree about the stream heads');
if (v2 && manifest.key?.keyId !== keyId) fail(`the manifest names key ${manifest.key?.keyId}, the bundle's key is ${keyId}`);
say(`tree head: ${head.treeSize} events${v2 ? `, ${head.streamCount} streams` : ''}, root ${head.rootHash}, sealed ${head.sealedAt}, Ed25519 key ${keyId}${keyIdArg ? ' (as expected)' : ' (pass --key-id to pin it)'}: signature ${signed ? 'valid' : 'INVALID'}`);

// 3. The checkpoint: a C2SP signed note by the same key, naming the same tree.
if (v2) {
  const note = read('checkpoint.txt').toString('utf8');
  const origin = head.origin;
  const split = note.lastIndexOf('\n\n');
  let ok = false;
  if (typeof origin !== 'string' || origin.length === 0) fail('the tree head names no checkpoint origin');
  else if (manifest.key?.noteKeyName !== origin) fail(`the manifest names note key ${JSON.stringify(manifest.key?.noteKeyName)}, the head's origin is ${JSON.stringify(origin)}`);
  if (note !== head.checkpoint) fail('checkpoint.txt is not the checkpoint the tree head carries');
  if (split < 0 || !note.endsWith('\n')) fail('checkpoint.txt is not a signed note (text, blank line, signature lines)');
  else {
    const text = note.slice(0, split + 1);
    const lines = text.split('\n');
    const root = Buffer.from(head.rootHash ?? '', 'hex').toString('base64');
    if (lines[0] !== origin || lines[1] !== String(head.treeSize) || lines[2] !== root) fail(`checkpoint.txt names ${JSON.stringify(lines.slice(0, 3))}, the head is ${origin} / ${head.treeSize} / ${root}`);
    const noteKeyId = sha256(Buffer.from(String(origin), 'utf8'), Buffer.from([0x0a, 0x01]), rawKey).subarray(0, 4);
    if (manifest.key?.noteKeyId !== noteKeyId.toString('hex')) fail(`the manifest's note key id ${manifest.key?.noteKeyId} is not ${noteKeyId.toString('hex')}`);
    const mine = note.slice(split + 2).split('\n').filter((l) => l.startsWith(`— ${origin} `));
    for (const line of mine) {
      const sig = Buffer.from(line.slice(`— ${origin} `.length), 'base64');
      if (sig.length === 68 && sig.subarray(0, 4).equals(noteKeyId)) ok = verify(null, Buffer.from(text, 'utf8'), publicKey, sig.subarray(4)) || ok;
    }
    if (!ok) fail(`checkpoint.txt has no valid Ed25519 signature by ${origin} with the bundle's key`);
  }
  say(`checkpoint: origin ${origin}, note signature ${ok ? 'valid' : 'INVALID'}`);
}

// 4. Stream heads: each carried stream's last revision and hash, proven against streamHeadsRoot.
const streamHeads = new Map();
if (v2) {
  const headsRoot = Buffer.from(head.streamHeadsRoot ?? '', 'hex');
  let lastName = null;
  let lastStreamIndex = -1;
  for (const h of ndjson('stream-heads.ndjson')) {
    const name = `stream head of ${JSON.stringify(h.stream)}`;
    if (typeof h.stream !== 'string' || !Number.isSafeInteger(h.revision) || h.revision < 0 || !HEX64.test(h.hash ?? '')) { fail(`${name}: malformed`); continue; }
    if (streamHeads.has(h.stream)) { fail(`${name}: listed twice`); continue; }
    if (h.streamCount !== head.streamCount) fail(`${name}: proven against ${h.streamCount} streams, the head signs ${head.streamCount}`);
    if (lastName !== null && Buffer.compare(Buffer.from(lastName, 'utf8'), Buffer.from(h.stream, 'utf8')) >= 0) fail(`${name}: streams are not in UTF-8 byte order`);
    if (h.index <= lastStreamIndex) fail(`${name}: indices are not increasing`);
    lastName = h.stream;
    lastStreamIndex = h.index;
    const path = hexPath(h.path);
    if (!path || !verifyInclusion(streamHeadLeaf(h), h.index, head.streamCount, path, headsRoot)) fail(`${name}: the proof does not lead to the signed streamHeadsRoot (revision ${h.revision}, hash ${h.hash})`);
    streamHeads.set(h.stream, h);
  }
  if (manifest.streams !== streamHeads.size) fail(`the manifest says ${manifest.streams} streams, stream-heads.ndjson has ${streamHeads.size}`);
}

// 5. Events: each re-hashes, is proven in the tree (one proof per event, same order), and each
//    carried stream is whole: revisions 0..R in order, each linked to the previous, R and its hash
//    the proven stream head.
const events = ndjson('events.ndjson');
const proofs = ndjson('proofs.ndjson');
if (proofs.length !== events.length) fail(`proofs.ndjson has ${proofs.length} proofs for ${events.length} events: there must be exactly one per event`);
const root = Buffer.from(head.rootHash ?? '', 'hex');
const lastOf = new Map();
const ids = new Set();
let rehashed = 0, chained = 0, proven = 0, lastIndex = -1, lastPosition = '';
for (const [i, e] of events.entries()) {
  const name = `event ${e.id} (${e.stream}@${e.revision})`;
  if (ids.has(e.id)) fail(`${name}: appears twice`);
  ids.add(e.id);
  const text = jcs({ data: e.data, id: e.id, metadata: e.metadata, prevHash: e.prevHash, revision: e.revision, schemaVersion: e.schemaVersion, stream: e.stream, type: e.type });
  const hash = sha256(Buffer.from(text, 'utf8')).toString('hex');
  if (hash !== e.hash) fail(`${name}: its hash does not recompute (${hash} ≠ ${e.hash})`);
  else rehashed++;
  if (typeof e.position !== 'string' || e.position <= lastPosition) fail(`${name}: events are not in store order`);
  lastPosition = String(e.position);
  const prev = lastOf.get(e.stream);
  if (v2) {
    const expected = prev ? prev.revision + 1 : 0;
    if (e.revision !== expected) fail(`${name}: ${e.stream} must hold revision ${expected} here (${prev ? `after ${prev.revision}` : 'its first'}): an event is missing, duplicated or out of order`);
    else if (e.prevHash !== (prev ? prev.hash : GENESIS)) fail(`${name}: prevHash is not the hash of ${prev ? `revision ${prev.revision}` : 'the genesis'}`);
    else chained++;
    if (!streamHeads.has(e.stream)) fail(`${name}: its stream ${e.stream} has no stream-head proof, so nothing says it is whole`);
  } else {
    if (e.revision === 0 && e.prevHash !== GENESIS) fail(`${name}: revision 0 must start from the genesis hash`);
    else if (prev && prev.revision + 1 === e.revision && prev.hash !== e.prevHash) fail(`${name}: prevHash is not the hash of revision ${prev.revision}`);
    else if (e.revision === 0 || (prev && prev.revision + 1 === e.revision)) chained++;
    if (prev && prev.revision >= e.revision) fail(`${name}: revisions of ${e.stream} go backwards`);
  }
  lastOf.set(e.stream, e);
  const proof = proofs[i];
  if (!proof) continue;
  if (proof.eventId !== e.id) { fail(`${name}: proof line ${i + 1} is for event ${proof.eventId}`); continue; }
  if (proof.treeSize !== head.treeSize) { fail(`${name}: proof is for tree size ${proof.treeSize}, the head is ${head.treeSize}`); continue; }
  if (!(proof.leafIndex > lastIndex)) fail(`${name}: leaf indices are not increasing in store order`);
  lastIndex = proof.leafIndex;
  const path = hexPath(proof.path);
  if (!path || !verifyInclusion(eventLeaf(e.hash), proof.leafIndex, head.treeSize, path, root)) fail(`${name}: the inclusion proof does not lead to the signed root`);
  else proven++;
}
if (v2) {
  for (const [stream, h] of streamHeads) {
    const last = lastOf.get(stream);
    if (!last) fail(`stream ${stream}: a stream head is proven but the bundle holds none of its events`);
    else if (last.revision !== h.revision || last.hash !== h.hash) fail(`stream ${stream}: the bundle ends at revision ${last.revision}, the signed stream head is revision ${h.revision} (${h.hash}): events are missing at the end`);
  }
}
if (manifest.events !== events.length) fail(`the manifest says ${manifest.events} events, events.ndjson has ${events.length}`);
say(`events: ${events.length} in ${lastOf.size} streams; ${rehashed} re-hashed (RFC 8785 + SHA-256), ${chained} linked to their predecessor (or genesis), ${proven} proven in the signed tree (RFC 6962)`);

// 6. The bundle is closed: every stream a carried event names is carried (the closure rule of the
//    README), and every stream scripts/verify-bundle-money.mjs says the money depends on.
if (v2) {
  const named = new Map();
  const bureaus = projectBureaus(events);
  for (const e of events) for (const s of closureReferences(e, bureaus.get(e.stream))) if (!named.has(s)) named.set(s, `named by ${e.stream}@${e.revision} ${e.type}`);
  let open = 0;
  for (const [stream, why] of named) {
    if (streamHeads.has(stream)) continue;
    open++;
    fail(`stream ${stream} is ${why} but the bundle does not carry it: the bundle is not closed`);
  }
  say(`closure: ${named.size} stream(s) named by the carried events, ${named.size - open} carried`);
}
if (v2) {
  const reasons = requiredStreamReasons(events);
  let missing = 0;
  for (const [stream, why] of reasons) {
    if (streamHeads.has(stream)) continue;
    missing++;
    fail(`stream ${stream} is required (${why}) but the bundle does not carry it`);
  }
  say(`required: ${reasons.size} stream(s) the money depends on, ${reasons.size - missing} carried`);
} else {
  const what = `${FORMAT_V1} proves each event is in the sealed log, not that a stream is whole (a deleted event or stream goes unseen)`;
  if (acceptIncomplete) say(`WARNING: ${what}; accepted with --accept-incomplete`);
  else fail(`${what}: export the bundle again (${FORMAT_V2}), or pass --accept-incomplete to check only what it proves`);
}

// 7. The money (issue 17 item 2): R1, R2 and R3 recomputed from the events, every recorded amount
// checked to the fen (scripts/verify-bundle-money.mjs). Whether the bundle carries every stream the
// money depends on, complete, is the bundle's own check (requiredStreams); the money of a stream
// that is not complete here is not replayed, and is listed.
{
  const money = verifyMoney(events, { partial: 'skip' });
  for (const f of money.failures) fail(`money: ${f}`);
  say(`money: ${money.summary}`);
  if (money.checked.incompleteStreams.length > 0) say(`  not replayed (incomplete in this bundle): ${money.checked.incompleteStreams.join(', ')}`);
}

// 8. Evidence files (issue 19): every file an evidence event records (its SHA-256 and size are in
// the event, so the signed head seals them) is `evidence/<sha256>` in the bundle directory with
// exactly those bytes, when the bundle was exported with its files (manifest.evidence.included) or
// --require-evidence is given. A missing or changed file fails.
{
  const EVIDENCE_TYPES = new Set(['EvidenceAttached', 'DisbursementEvidenceAttached']);
  const recorded = new Map();
  let evidenceEvents = 0;
  for (const e of events) {
    if (!EVIDENCE_TYPES.has(e.type)) continue;
    evidenceEvents++;
    const d = e.data ?? {};
    const name = `event ${e.id} (${e.stream}@${e.revision} ${e.type})`;
    if (!HEX64.test(d.sha256 ?? '') || !Number.isSafeInteger(d.size) || d.size < 1) { fail(`${name}: records no valid sha256 and size`); continue; }
    const known = recorded.get(d.sha256);
    if (known === undefined) recorded.set(d.sha256, { size: d.size, name: String(d.name) });
    else if (known.size !== d.size) fail(`${name}: records ${d.size} bytes for evidence ${d.sha256}, another event ${known.size}`);
  }
  const included = manifest.evidence?.included === true;
  if (included || requireEvidence) {
    let matched = 0;
    for (const [hash, f] of recorded) {
      const path = join(dir, 'evidence', hash);
      if (!existsSync(path)) { fail(`evidence ${hash} (${f.name}) is missing: the bundle ${included ? 'was exported with its files' : 'must carry it (--require-evidence)'}`); continue; }
      const bytes = readFileSync(path);
      const digest = sha256(bytes).toString('hex');
      if (digest !== hash) fail(`evidence ${hash} (${f.name}): SHA-256 ${digest} differs from what its event records`);
      else if (bytes.length !== f.size) fail(`evidence ${hash} (${f.name}): ${bytes.length} bytes, its event records ${f.size}`);
      else matched++;
    }
    say(`evidence: ${evidenceEvents} event(s) record ${recorded.size} file(s); ${matched} present with the recorded SHA-256 and size`);
  } else {
    say(`evidence: ${evidenceEvents} event(s) record ${recorded.size} file(s), not included (export with ?evidence=true to carry them; --require-evidence to insist)`);
  }
}

// 9. Corrections side by side (issue 19): an event whose data carries `corrects: { eventId, type }`
//    corrects an earlier event, which stays as recorded. Each names an event the bundle carries, of
//    that type, before it in store order; the pairs are listed for the reader.
{
  const byId = new Map(events.map((e) => [e.id, e]));
  const pairs = [];
  for (const e of events) {
    const c = e.data?.corrects;
    if (typeof c !== 'object' || c === null) continue;
    const name = `${e.stream}@${e.revision} ${e.type}`;
    const original = byId.get(c.eventId);
    if (!original) { fail(`${name} corrects event ${c.eventId} (${c.type}), which the bundle does not carry`); continue; }
    if (original.type !== c.type) fail(`${name} corrects ${c.eventId} as a ${c.type}, but it is a ${original.type}`);
    if (!(String(original.position) < String(e.position))) fail(`${name} corrects ${original.stream}@${original.revision}, which comes after it`);
    pairs.push(`${original.stream}@${original.revision} ${original.type} ← corrected by ${name}${typeof e.data.reason === 'string' ? ` (${e.data.reason.slice(0, 80)})` : ''}`);
  }
  say(`corrections: ${pairs.length} correcting event(s), each beside the original it corrects (the original stays as recorded)`);
  for (const line of pairs.slice(0, 50)) say(`  ${line}`);
  if (pairs.length > 50) say(`  … and ${pairs.length - 50} more`);
}

if (failures.length > 0) {
  say(`FAILED: ${failures.length} problem(s)`);
  for (const f of failures.slice(0, 50)) say(`  - ${f}`);
  process.exit(1);
}
say(`OK: the bundle for ${manifest.scope?.kind} ${manifest.scope?.id} verifies${v2 ? ': every carried stream is whole up to the signed head' : ''}`);
