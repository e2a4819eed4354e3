import { randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as Jose from 'jose';
import type { JSONWebKeySet, JWK, JWTVerifyGetKey } from 'jose';
import type { Role } from './roles.js';

let jose: Promise<typeof Jose> | undefined;
/**
 * jose, loaded when a token is first verified or signed, not when the server starts: its ~60
 * modules cost a start about 40 ms on the machine of BENCHMARKS.md, and /healthz needs none.
 */
export function loadJose(): Promise<typeof Jose> {
  jose ??= import('jose');
  return jose;
}

export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const;

export interface DevKeyPaths {
  privateJwk: string;
  jwks: string;
}

export function devKeyPaths(dataDir: string): DevKeyPaths {
  return { privateJwk: join(dataDir, 'keys', 'signing-key.private.jwk.json'), jwks: join(dataDir, 'keys', 'jwks.json') };
}

/**
 * The embedded default's token signing key: created on first start in `<dataDir>/keys/`, reused
 * afterwards. Production configuration never reaches this (config requires JWKS_FILE or JWKS_URL).
 */
export async function ensureDevKeys(dataDir: string): Promise<DevKeyPaths & { created: boolean }> {
  const paths = devKeyPaths(dataDir);
  if (existsSync(paths.privateJwk) && existsSync(paths.jwks)) return { ...paths, created: false };
  mkdirSync(join(dataDir, 'keys'), { recursive: true, mode: 0o700 });
  const { exportJWK, generateKeyPair } = await loadJose();
  const { privateKey, publicKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const kid = `dev-${randomUUID()}`;
  const priv: JWK = { ...(await exportJWK(privateKey)), kid, alg: 'EdDSA', use: 'sig' };
  const pub: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'EdDSA', use: 'sig' };
  writeFileSync(paths.privateJwk, `${JSON.stringify(priv, null, 2)}\n`, { mode: 0o600 });
  chmodSync(paths.privateJwk, 0o600);
  writeFileSync(paths.jwks, `${JSON.stringify({ keys: [pub] }, null, 2)}\n`);
  return { ...paths, created: true };
}

export function readJwksFile(path: string): JSONWebKeySet {
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { keys?: unknown }).keys)) {
    throw new Error(`${path} is not a JWKS document (expected {"keys": [...]})`);
  }
  return parsed as JSONWebKeySet;
}

/**
 * The key resolver used to verify tokens: a JWKS file (read now, so a bad file stops the start), or
 * a JWKS URL (cached and refreshed by jose). jose's own resolver is made on the first token.
 */
export function keyResolver(source: { jwksFile?: string | undefined; jwksUrl?: string | undefined }): JWTVerifyGetKey {
  let make: (j: typeof Jose) => JWTVerifyGetKey;
  if (source.jwksUrl) {
    const url = new URL(source.jwksUrl);
    make = (j) => j.createRemoteJWKSet(url);
  } else if (source.jwksFile) {
    const jwks = readJwksFile(source.jwksFile);
    make = (j) => j.createLocalJWKSet(jwks);
  } else {
    throw new Error('no JWKS configured');
  }
  let resolver: JWTVerifyGetKey | undefined;
  return async (header, token) => {
    resolver ??= make(await loadJose());
    return resolver(header, token);
  };
}

export interface TokenRequest {
  subject: string;
  roles: Role[];
  /** The caller's bureau (GB/T 2260 code), the token's `bureau` claim; omitted when undefined. */
  bureau?: string | undefined;
  /** Lifetime in seconds. */
  ttlSeconds?: number;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** Seconds since the epoch; injected by tests. */
  now?: number;
}

/** Signs a token with a private JWK (EdDSA or ES256, from its `alg`). */
export async function signToken(privateJwk: JWK, req: TokenRequest): Promise<string> {
  const alg = privateJwk.alg ?? 'EdDSA';
  const { importJWK, SignJWT } = await loadJose();
  const key = await importJWK(privateJwk, alg);
  const now = req.now ?? Math.floor(Date.now() / 1000);
  let jwt = new SignJWT({ roles: req.roles, ...(req.bureau === undefined ? {} : { bureau: req.bureau }) })
    .setProtectedHeader({ alg, kid: privateJwk.kid ?? 'default', typ: 'JWT' })
    .setSubject(req.subject)
    .setIssuedAt(now)
    .setJti(randomUUID())
    .setExpirationTime(now + (req.ttlSeconds ?? 12 * 3600));
  if (req.issuer) jwt = jwt.setIssuer(req.issuer);
  if (req.audience) jwt = jwt.setAudience(req.audience);
  return jwt.sign(key);
}

export function readPrivateJwk(path: string): JWK {
  return JSON.parse(readFileSync(path, 'utf8')) as JWK;
}
