import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { cosignerVerifierKey, signCosignatureLine } from '../checkpoint/cosignature.js';
import { ED25519_NOTE_TYPE, parseCheckpointText, parseNote, parseVerifierKey, verifyNoteSignature } from '../checkpoint/note.js';
import { verifyConsistency } from '../merkle/tree.js';

/**
 * A witness: another office's key that cosigns the log's checkpoints (C2SP tlog-cosignature), and
 * only ever a checkpoint consistent with the last one it cosigned, so a log that forks — shows
 * one history to some and another to others — cannot collect its signature on both.
 */

/** The witness refused: the log misbehaved or is not the log it knows. Nothing was signed, the state is unchanged. */
export class WitnessRefusal extends Error {
  override name = 'WitnessRefusal';
}

/** The log could not be reached, or answered with an error. */
export class LogHttpError extends Error {
  override name = 'LogHttpError';
}

/** What the witness remembers of the log: the latest checkpoint it cosigned. */
export const WitnessState = z.strictObject({
  format: z.literal('gongguan-witness-state/1'),
  origin: z.string(),
  treeSize: z.number().int().nonnegative(),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The cosigned checkpoint's note text. */
  checkpoint: z.string(),
  /** POSIX seconds of the cosignature. */
  timestamp: z.number().int().nonnegative(),
  /** The cosignature line given for it (posted again when the log asks the same checkpoint again). */
  cosignature: z.string(),
});
export type WitnessState = z.infer<typeof WitnessState>;

export interface WitnessKey {
  name: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Creates a new Ed25519 witness key at `path` (never overwrites one); returns its verifier key string. */
export function generateWitnessKey(path: string, name: string): string {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const vkey = cosignerVerifierKey(name, publicKey);
  writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  return vkey;
}

export function loadWitnessKey(path: string, name: string): WitnessKey {
  const privateKey = createPrivateKey(readFileSync(path));
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`${path}: a witness key is Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  cosignerVerifierKey(name, publicKey); // checks the name
  return { name, privateKey, publicKey };
}

export function readState(path: string): WitnessState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return WitnessState.parse(JSON.parse(text));
}

/** Writes the state so that a crash leaves either the old file or the new one: temp file, fsync, rename, fsync the directory. */
export function writeStateAtomically(path: string, state: WitnessState): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const fd = openSync(temp, 'wx', 0o600);
    try {
      writeFileSync(fd, `${JSON.stringify(WitnessState.parse(state), null, 2)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}

/**
 * The proof out of a C2SP tlog-witness `add-checkpoint` body (`old <m>`, base64 proof lines, a blank
 * line, the checkpoint), checked to be from size `oldSize` to the checkpoint with `text`.
 */
export function consistencyProof(body: string, oldSize: number, text: string): Buffer[] {
  const blank = body.indexOf('\n\n');
  const lines = blank < 0 ? [] : body.slice(0, blank).split('\n');
  if (lines[0] !== `old ${oldSize}`) throw new WitnessRefusal(`the log's consistency body does not start with "old ${oldSize}"`);
  const proof = lines.slice(1).map((line) => {
    const hash = Buffer.from(line, 'base64');
    if (hash.length !== 32 || hash.toString('base64') !== line) throw new WitnessRefusal(`the log's consistency proof holds a line that is not a base64 hash: ${line.slice(0, 80)}`);
    return hash;
  });
  if (proof.length > 63) throw new WitnessRefusal('the log sent more than 63 consistency proof lines');
  let after;
  try {
    after = parseNote(body.slice(blank + 2)).text;
  } catch (err) {
    throw new WitnessRefusal(`the log's consistency body does not end in a checkpoint: ${(err as Error).message}`);
  }
  if (after !== text) throw new WitnessRefusal('the consistency body is for another checkpoint than the one the log serves');
  return proof;
}

export interface CosignOptions {
  /** The log's base URL. */
  url: string;
  /** Bearer token for the log (storing a cosignature is an admin's write). */
  token?: string;
  /** The log's note verifier keys (`<origin>+<id>+<base64>`, type 0x01), obtained out of band. */
  logKeys: readonly string[];
  witness: WitnessKey;
  statePath: string;
  now?: () => Date;
  fetch?: typeof fetch;
}

export interface CosignResult {
  origin: string;
  treeSize: number;
  previousSize: number | null;
  /** False when this checkpoint was cosigned before (its line was posted again). */
  signedNow: boolean;
  line: string;
}

/**
 * One round: fetches the log's latest checkpoint (`GET /v1/audit/checkpoint`), checks the log's signature on it, checks that it
 * extends the last checkpoint this witness cosigned (RFC 6962 consistency proof from the tlog-witness
 * body of `GET /v1/audit/checkpoints/{n}/consistency?old=m`, verified here, from
 * the witness's own root), signs it, records it, and gives the cosignature to the log. Refuses —
 * throwing {@link WitnessRefusal}, signing nothing, leaving the state as it was — a smaller tree, a
 * different root at the same size, or a proof that does not verify.
 *
 * The state is written before the cosignature leaves (tlog-witness: persist before responding), so
 * a crash after signing can never let the witness sign a checkpoint inconsistent with one it gave
 * out; a failed post is retried by running again (the same line is posted).
 */
export async function cosignLatest(options: CosignOptions): Promise<CosignResult> {
  const release = lockState(options.statePath);
  try {
    return await cosignLocked(options);
  } finally {
    release();
  }
}

/**
 * Checking against the state and recording the new one must be one step (tlog-witness): two runs
 * at once from the same state could otherwise each sign one side of a fork. An exclusive lock file
 * beside the state; a run that finds it refuses (a crashed run leaves it: remove it by hand once
 * sure no other run is going).
 */
function lockState(statePath: string): () => void {
  const lock = `${statePath}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new WitnessRefusal(`${lock} exists: another witness run holds this state (if none is running, a crashed run left it; remove it)`);
    }
    throw err;
  }
  writeFileSync(fd, `${process.pid}\n`);
  closeSync(fd);
  return () => rmSync(lock, { force: true });
}

async function cosignLocked(options: CosignOptions): Promise<CosignResult> {
  const http = options.fetch ?? fetch;
  const base = options.url.replace(/\/+$/, '');
  const headers: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  // Checkpoints and their consistency bodies are public (C2SP text, like a JWKS); only the post needs the token.
  const get = async (path: string): Promise<string> => {
    const res = await http(`${base}${path}`).catch((err: unknown) => {
      throw new LogHttpError(`GET ${path}: ${(err as Error).message}`);
    });
    const body = await res.text();
    if (!res.ok) throw new LogHttpError(`GET ${path}: HTTP ${res.status} ${body.slice(0, 500)}`);
    return body;
  };

  const served = await get('/v1/audit/checkpoint');
  let note;
  try {
    note = parseNote(served);
  } catch (err) {
    throw new WitnessRefusal(`the log's checkpoint is not a signed note: ${(err as Error).message}`);
  }
  const checkpoint = (() => {
    try {
      return parseCheckpointText(note.text);
    } catch (err) {
      throw new WitnessRefusal(`the log's checkpoint is malformed: ${(err as Error).message}`);
    }
  })();
  const logKeys = options.logKeys.map((k) => parseVerifierKey(k)).filter((k) => k.type === ED25519_NOTE_TYPE && k.name === checkpoint.origin);
  if (logKeys.length === 0) throw new WitnessRefusal(`no log key is configured for origin ${checkpoint.origin}`);
  if (!logKeys.some((k) => verifyNoteSignature(note.text, note.signatures, k.name, k.publicKey))) {
    throw new WitnessRefusal(`the checkpoint of ${checkpoint.origin} at size ${checkpoint.treeSize} is not signed by a configured log key`);
  }

  const state = readState(options.statePath);
  if (state !== undefined && state.origin !== checkpoint.origin) {
    throw new WitnessRefusal(`the state file ${options.statePath} is for log ${state.origin}, not ${checkpoint.origin}`);
  }
  const root = Buffer.from(checkpoint.rootHash, 'hex');
  const post = async (line: string): Promise<void> => {
    const path = `/v1/audit/checkpoints/${checkpoint.treeSize}/cosignatures`;
    const res = await http(`${base}${path}`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' }, body: line }).catch((err: unknown) => {
      throw new LogHttpError(`POST ${path}: ${(err as Error).message}`);
    });
    const body = await res.text();
    if (!res.ok) throw new LogHttpError(`POST ${path}: HTTP ${res.status} ${body.slice(0, 500)}`);
  };

  if (state !== undefined) {
    if (checkpoint.treeSize < state.treeSize) {
      throw new WitnessRefusal(`the log shows a tree of ${checkpoint.treeSize} leaves, smaller than the ${state.treeSize} this witness cosigned: a rollback or a fork; not signed`);
    }
    if (checkpoint.treeSize === state.treeSize) {
      if (checkpoint.rootHash !== state.rootHash) {
        throw new WitnessRefusal(`the log shows size ${checkpoint.treeSize} with root ${checkpoint.rootHash}, but this witness cosigned root ${state.rootHash} at that size: a fork; not signed`);
      }
      if (note.text === state.checkpoint) {
        await post(state.cosignature);
        return { origin: checkpoint.origin, treeSize: checkpoint.treeSize, previousSize: state.treeSize, signedNow: false, line: state.cosignature };
      }
    } else {
      const proof = consistencyProof(await get(`/v1/audit/checkpoints/${checkpoint.treeSize}/consistency?old=${state.treeSize}`), state.treeSize, note.text);
      const ok = verifyConsistency(state.treeSize, checkpoint.treeSize, proof, Buffer.from(state.rootHash, 'hex'), root);
      if (!ok) {
        throw new WitnessRefusal(
          `the log's tree of ${checkpoint.treeSize} leaves does not extend the tree of ${state.treeSize} leaves this witness cosigned (the consistency proof fails from root ${state.rootHash}): a fork; not signed`,
        );
      }
    }
  }

  const now = options.now ?? (() => new Date());
  const timestamp = Math.floor(now().getTime() / 1000);
  const line = signCosignatureLine(note.text, options.witness.name, options.witness.privateKey, options.witness.publicKey, BigInt(timestamp));
  writeStateAtomically(options.statePath, {
    format: 'gongguan-witness-state/1',
    origin: checkpoint.origin,
    treeSize: checkpoint.treeSize,
    rootHash: checkpoint.rootHash,
    checkpoint: note.text,
    timestamp,
    cosignature: line,
  });
  await post(line);
  return { origin: checkpoint.origin, treeSize: checkpoint.treeSize, previousSize: state?.treeSize ?? null, signedNow: true, line };
}
