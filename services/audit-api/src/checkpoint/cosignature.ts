import { sign, verify, type KeyObject } from 'node:crypto';
import { rawPublicKey } from '../keys/tree-head-key.js';
import { COSIGNATURE_NOTE_TYPE, isKeyName, noteKeyId, parseVerifierKey, type NoteSignature } from './note.js';

/**
 * C2SP tlog-cosignature (https://c2sp.org/tlog-cosignature), the Ed25519 `cosignature/v1` form,
 * written from the specification.
 *
 * A cosignature is a note signature line `— <witness name> base64(key ID ‖ timestamped_signature)`
 * where the key ID is SHA-256(name ‖ 0x0A ‖ 0x04 ‖ 32-byte public key)[:4] and
 * `timestamped_signature` is an 8-byte big-endian POSIX timestamp followed by the 64-byte Ed25519
 * signature over `cosignature/v1\ntime <timestamp>\n` + the checkpoint's note text (all of it, final
 * newline included, signature lines excluded). It states that, at that time, this was the largest
 * tree the witness had seen consistent with everything it had seen before for that origin.
 */

/** A witness as the log knows it: its name and cosignature (0x04) public key. */
export interface Cosigner {
  name: string;
  /** SHA-256(name ‖ 0x0A ‖ 0x04 ‖ public key)[:4]. */
  keyId: Buffer;
  publicKey: KeyObject;
  /** The verifier key string it was configured with. */
  vkey: string;
}

/** The largest timestamp the structure allows (2^63 − 1). */
const MAX_TIMESTAMP = (1n << 63n) - 1n;

/** The exact bytes a `cosignature/v1` Ed25519 cosignature signs. */
export function cosignatureMessage(checkpointText: string, timestamp: bigint): Buffer {
  if (!checkpointText.endsWith('\n')) throw new Error('checkpoint text must end in a newline');
  if (timestamp < 0n || timestamp > MAX_TIMESTAMP) throw new Error('cosignature timestamp out of range');
  return Buffer.from(`cosignature/v1\ntime ${timestamp.toString()}\n${checkpointText}`, 'utf8');
}

/** The witness's verifier key string: `<name>+<key ID hex>+base64(0x04 ‖ public key)`. */
export function cosignerVerifierKey(name: string, publicKey: KeyObject): string {
  if (!isKeyName(name)) throw new Error(`not a note key name: ${JSON.stringify(name)}`);
  const raw = rawPublicKey(publicKey);
  return `${name}+${noteKeyId(name, COSIGNATURE_NOTE_TYPE, raw).toString('hex')}+${Buffer.concat([Buffer.from([COSIGNATURE_NOTE_TYPE]), raw]).toString('base64')}`;
}

/** Parses a witness's verifier key; throws unless it is a well-formed cosignature (0x04) key. */
export function parseCosignerKey(vkey: string): Cosigner {
  const parsed = parseVerifierKey(vkey);
  if (parsed.type !== COSIGNATURE_NOTE_TYPE) throw new Error(`${parsed.name}: a witness key has signature type 0x04 (cosignature/v1), not 0x0${parsed.type}`);
  return { name: parsed.name, keyId: parsed.keyId, publicKey: parsed.publicKey, vkey: vkey.trim() };
}

/** Signs `checkpointText` as witness `name` at `timestamp` (seconds); returns the signature line. */
export function signCosignatureLine(checkpointText: string, name: string, privateKey: KeyObject, publicKey: KeyObject, timestamp: bigint): string {
  if (!isKeyName(name)) throw new Error(`not a note key name: ${JSON.stringify(name)}`);
  const signature = sign(null, cosignatureMessage(checkpointText, timestamp), privateKey);
  const time = Buffer.alloc(8);
  time.writeBigUInt64BE(timestamp);
  const id = noteKeyId(name, COSIGNATURE_NOTE_TYPE, rawPublicKey(publicKey));
  return `— ${name} ${Buffer.concat([id, time, signature]).toString('base64')}\n`;
}

/**
 * Checks one note signature as a cosignature of `cosigner` over `checkpointText`: its name and key
 * ID must be the cosigner's (otherwise it is someone else's line: `undefined`), then the 72 bytes
 * after the key ID must be a timestamp and a valid Ed25519 signature.
 */
export function verifyCosignature(checkpointText: string, line: NoteSignature, cosigner: Cosigner): { ok: true; timestamp: bigint } | { ok: false; reason: string } | undefined {
  if (line.name !== cosigner.name || !line.keyId.equals(cosigner.keyId)) return undefined;
  if (line.signature.length !== 8 + 64) return { ok: false, reason: 'a cosignature/v1 Ed25519 signature is an 8-byte timestamp and 64 bytes of signature' };
  const timestamp = line.signature.readBigUInt64BE(0);
  if (timestamp > MAX_TIMESTAMP) return { ok: false, reason: 'the timestamp exceeds 2^63 − 1' };
  const ok = verify(null, cosignatureMessage(checkpointText, timestamp), cosigner.publicKey, line.signature.subarray(8));
  return ok ? { ok: true, timestamp } : { ok: false, reason: `the cosignature of ${cosigner.name} does not verify over this checkpoint` };
}
