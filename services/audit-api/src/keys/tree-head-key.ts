import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The Ed25519 key that signs tree heads, with what a verifier needs to know about it. */
export interface TreeHeadKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key (what bundles carry). */
  publicKeyPem: string;
  /** Lower-case hex SHA-256 of the 32 raw bytes of the public key. */
  keyId: string;
}

export function defaultKeyPath(dataDir: string): string {
  return join(dataDir, 'keys', 'tree-head-signing.private.pem');
}

/** The 32 raw bytes of an Ed25519 public key (the end of its SPKI DER). */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex');
}

function fromPrivate(privateKey: KeyObject): TreeHeadKey {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error(`the tree-head key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyIdOf(publicKey),
  };
}

/**
 * Loads the signing key from `path`. Where no key was configured, the embedded default creates
 * one at the default path on first start, like the token key; production never generates keys.
 */
export function loadTreeHeadKey(opts: { path: string | undefined; dataDir: string; production: boolean }): TreeHeadKey & { created: boolean } {
  const path = opts.path ?? defaultKeyPath(opts.dataDir);
  if (existsSync(path)) return { ...fromPrivate(createPrivateKey(readFileSync(path))), created: false };
  if (opts.production || opts.path !== undefined) {
    throw new Error(
      opts.production
        ? `no tree-head signing key at ${path}: set AUDIT_SIGNING_KEY_FILE to an Ed25519 PKCS#8 PEM (production never generates keys)`
        : `AUDIT_SIGNING_KEY_FILE ${path} does not exist`,
    );
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    writeFileSync(path, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process started at the same moment and wrote its key first: use that one.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { ...fromPrivate(createPrivateKey(readFileSync(path))), created: false };
    throw err;
  }
  chmodSync(path, 0o600);
  return { ...fromPrivate(privateKey), created: true };
}

export function signBytes(key: TreeHeadKey, message: Buffer): string {
  return sign(null, message, key.privateKey).toString('base64');
}

export function verifyBytes(publicKey: KeyObject, message: Buffer, signatureBase64: string): boolean {
  try {
    return verify(null, message, publicKey, Buffer.from(signatureBase64, 'base64'));
  } catch {
    return false;
  }
}
