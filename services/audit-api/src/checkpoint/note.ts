import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { rawPublicKey } from '../keys/tree-head-key.js';

/**
 * C2SP signed-note (https://c2sp.org/signed-note) and tlog-checkpoint (https://c2sp.org/tlog-checkpoint),
 * written from the specifications: the forms the Go checksum database's `golang.org/x/mod/sumdb/note`
 * and `…/tlog` packages verify.
 *
 * A signed note is its text (ending in a newline), a blank line, and signature lines
 * `— <key name> base64(4-byte key ID ‖ signature)`. For an Ed25519 key (type 0x01) the key ID is
 * the first four bytes of SHA-256(key name ‖ 0x0A ‖ 0x01 ‖ 32-byte public key) and the signature is
 * Ed25519 over the note text.
 */

export const ED25519_NOTE_TYPE = 0x01;
export const COSIGNATURE_NOTE_TYPE = 0x04;

/** True when `text` holds an ASCII control character (below U+0020), newlines excepted when `newlineAllowed`. */
function hasControl(text: string, newlineAllowed: boolean): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && !(newlineAllowed && c === 0x0a)) return true;
  }
  return false;
}

/** Key names: non-empty, no Unicode space, no '+'. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name) && !hasControl(name, false);
}

/** SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]. */
export function noteKeyId(name: string, type: number, publicKey32: Buffer): Buffer {
  return createHash('sha256').update(Buffer.from(name, 'utf8')).update(Buffer.from([0x0a, type])).update(publicKey32).digest().subarray(0, 4);
}

/**
 * The verifier key string Go's `note.NewVerifier` takes: `<name>+<key ID as 8 hex digits>+<base64(0x01 ‖ public key)>`.
 */
export function verifierKey(name: string, publicKey: KeyObject): string {
  const raw = rawPublicKey(publicKey);
  return `${name}+${noteKeyId(name, ED25519_NOTE_TYPE, raw).toString('hex')}+${Buffer.concat([Buffer.from([ED25519_NOTE_TYPE]), raw]).toString('base64')}`;
}

/** Parses a verifier key string back into its name, key ID and Ed25519 public key. */
export function parseVerifierKey(vkey: string): { name: string; keyId: Buffer; type: number; publicKey: KeyObject } {
  // The base64 key may itself hold '+': only the first two separate the fields.
  const m = /^([^+]+)\+([^+]*)\+(.*)$/su.exec(vkey.trim());
  if (m === null) throw new Error('a verifier key is <name>+<hex key id>+<base64 key>');
  const [name, idHex, keyB64] = [m[1]!, m[2]!, m[3]!];
  if (!isKeyName(name) || !/^[0-9a-f]{8}$/.test(idHex)) throw new Error('malformed verifier key name or key id');
  const key = Buffer.from(keyB64, 'base64');
  if (key.length !== 33 || (key[0] !== ED25519_NOTE_TYPE && key[0] !== COSIGNATURE_NOTE_TYPE)) throw new Error('the verifier key is not an Ed25519 (0x01) or cosignature (0x04) key');
  const raw = key.subarray(1);
  const keyId = noteKeyId(name, key[0]!, raw);
  if (keyId.toString('hex') !== idHex) throw new Error('the verifier key id does not match its key');
  return { name, keyId, type: key[0]!, publicKey: ed25519PublicKeyFromRaw(raw) };
}

/** An Ed25519 public KeyObject from its 32 raw bytes. */
export function ed25519PublicKeyFromRaw(raw: Buffer): KeyObject {
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes');
  const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');
  return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}

/** The signature line of an Ed25519 (0x01) note signature over `text` (which must end in a newline). */
export function signNoteLine(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject): string {
  if (!text.endsWith('\n')) throw new Error('note text must end in a newline');
  if (!isKeyName(name)) throw new Error(`not a note key name: ${JSON.stringify(name)}`);
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  const id = noteKeyId(name, ED25519_NOTE_TYPE, rawPublicKey(publicKey));
  return `— ${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** A whole signed note: text, blank line, signature lines. */
export function formatNote(text: string, signatureLines: readonly string[]): string {
  return `${text}\n${signatureLines.join('')}`;
}

export interface NoteSignature {
  name: string;
  keyId: Buffer;
  /** The bytes after the key ID. */
  signature: Buffer;
  line: string;
}

/** Splits a signed note at its last blank line into text and signature lines; throws when malformed. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (!note.endsWith('\n')) throw new Error('a signed note ends in a newline');
  if (hasControl(note, true)) throw new Error('a signed note has no control characters but newline');
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('a signed note has a blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n');
  lines.pop();
  if (lines.length === 0) throw new Error('a signed note has at least one signature');
  const signatures = lines.map((line): NoteSignature => {
    const m = /^— (\S+) ([A-Za-z0-9+/=]+)$/u.exec(line);
    if (!m || !isKeyName(m[1]!)) throw new Error(`malformed signature line: ${line}`);
    const bytes = Buffer.from(m[2]!, 'base64');
    if (bytes.length < 5) throw new Error(`signature too short: ${line}`);
    return { name: m[1]!, keyId: bytes.subarray(0, 4), signature: bytes.subarray(4), line: `${line}\n` };
  });
  return { text, signatures };
}

/** Verifies the Ed25519 (0x01) signature of `name`'s key among a note's signatures. */
export function verifyNoteSignature(text: string, signatures: readonly NoteSignature[], name: string, publicKey: KeyObject): boolean {
  const id = noteKeyId(name, ED25519_NOTE_TYPE, rawPublicKey(publicKey));
  const mine = signatures.filter((s) => s.name === name && s.keyId.equals(id));
  if (mine.length === 0) return false;
  return mine.every((s) => s.signature.length === 64 && verify(null, Buffer.from(text, 'utf8'), publicKey, s.signature));
}

/** The C2SP tlog-checkpoint note text: origin, tree size in decimal, base64 root hash; no extension lines. */
export function checkpointText(origin: string, treeSize: number, rootHashHex: string): string {
  if (!isKeyName(origin)) throw new Error(`not a checkpoint origin: ${JSON.stringify(origin)}`);
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new Error('tree size must be a non-negative integer');
  if (!/^[0-9a-f]{64}$/.test(rootHashHex)) throw new Error('root hash must be 64 hex digits');
  return `${origin}\n${treeSize}\n${Buffer.from(rootHashHex, 'hex').toString('base64')}\n`;
}

/** Parses a checkpoint's note text (origin, size, root); extension lines are returned as they are. */
export function parseCheckpointText(text: string): { origin: string; treeSize: number; rootHash: string; extensions: string[] } {
  const lines = text.split('\n');
  if (lines.pop() !== '' || lines.length < 3) throw new Error('a checkpoint has at least three lines, each ending in a newline');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (!isKeyName(origin)) throw new Error('malformed checkpoint origin');
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) throw new Error('malformed checkpoint tree size');
  const rootBytes = Buffer.from(root, 'base64');
  if (rootBytes.length !== 32 || rootBytes.toString('base64') !== root) throw new Error('malformed checkpoint root hash');
  if (extensions.some((l) => l.length === 0)) throw new Error('checkpoint extension lines are not empty');
  return { origin, treeSize: Number(size), rootHash: rootBytes.toString('hex'), extensions };
}
