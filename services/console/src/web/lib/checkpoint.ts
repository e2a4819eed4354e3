/**
 * The auditor's own check, in the browser, of what the audit API signs: the latest tree head's
 * Ed25519 signature (over the RFC 8785 JSON of its five values) and its C2SP checkpoint (the note
 * names the head's origin, size and root, and carries a signature line of the same key). Uses
 * WebCrypto only (Ed25519 in Chromium ≥ 137); where the browser cannot verify Ed25519 it says so
 * instead of claiming a result.
 */

export interface TreeHead {
  treeSize: number;
  rootHash: string;
  sealedAt: string;
  keyId: string;
  signature: string;
  streamCount?: number;
  streamHeadsRoot?: string;
  origin?: string;
  checkpoint?: string;
}

export interface HeadKey {
  keyId: string;
  publicKeyPem: string;
}

export interface HeadCheck {
  /** The head's own signature verified with the key its keyId names (null: not checked in this browser). */
  headSignature: boolean | null;
  /** The checkpoint names the head's size and root and its signature line verifies (null: not checked). */
  checkpoint: boolean | null;
  /** The key id is the SHA-256 of the key. */
  keyIdMatches: boolean;
  problems: string[];
}

function bytesOfBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

function rawKeyOfPem(pem: string): Uint8Array<ArrayBuffer> {
  const der = bytesOfBase64(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''));
  // An Ed25519 SPKI is a fixed 12-byte prefix and the 32-byte key.
  return der.slice(der.length - 32);
}

async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

async function importEd25519(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey | null> {
  try {
    return await crypto.subtle.importKey('raw', raw, { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return null;
  }
}

const encoder = new TextEncoder();

export async function checkTreeHead(head: TreeHead, keys: HeadKey[], checkpointText: string | null): Promise<HeadCheck> {
  const problems: string[] = [];
  const key = keys.find((k) => k.keyId === head.keyId);
  if (!key) return { headSignature: false, checkpoint: null, keyIdMatches: false, problems: [`no key ${head.keyId}`] };
  const raw = rawKeyOfPem(key.publicKeyPem);
  const keyIdMatches = hex(await sha256(raw)) === head.keyId;
  if (!keyIdMatches) problems.push('key id ≠ SHA-256(key)');
  const cryptoKey = await importEd25519(raw);

  let headSignature: boolean | null = null;
  if (cryptoKey && head.streamHeadsRoot !== undefined && head.streamCount !== undefined) {
    const statement = JSON.stringify({ kind: 'gongguan-tree-head/v2', rootHash: head.rootHash, sealedAt: head.sealedAt, streamCount: head.streamCount, streamHeadsRoot: head.streamHeadsRoot, treeSize: head.treeSize });
    headSignature = await crypto.subtle.verify('Ed25519', cryptoKey, bytesOfBase64(head.signature), encoder.encode(statement));
    if (!headSignature) problems.push('tree head signature');
  }

  let checkpoint: boolean | null = null;
  if (checkpointText !== null) {
    const blank = checkpointText.indexOf('\n\n');
    const body = blank >= 0 ? checkpointText.slice(0, blank + 1) : '';
    const [origin, size, root] = body.split('\n');
    const rootHex = root ? hex(bytesOfBase64(root)) : '';
    checkpoint = blank >= 0 && Number(size) === head.treeSize && rootHex === head.rootHash && (head.origin === undefined || origin === head.origin);
    if (!checkpoint) problems.push('checkpoint does not name the latest head');
    if (checkpoint && cryptoKey && origin) {
      const keyHash = (await sha256(new Uint8Array([...encoder.encode(`${origin}\n`), 0x01, ...raw]))).slice(0, 4);
      const lines = checkpointText.slice(blank + 2).split('\n').filter((l) => l.startsWith(`— ${origin} `));
      let signed = false;
      for (const line of lines) {
        const sig = bytesOfBase64(line.slice(`— ${origin} `.length));
        if (sig.length !== 68 || hex(sig.slice(0, 4)) !== hex(keyHash)) continue;
        signed = await crypto.subtle.verify('Ed25519', cryptoKey, sig.slice(4), encoder.encode(body));
        if (signed) break;
      }
      checkpoint = signed;
      if (!signed) problems.push('checkpoint signature');
    } else if (checkpoint && !cryptoKey) {
      checkpoint = null;
    }
  }
  return { headSignature, checkpoint, keyIdMatches, problems };
}
