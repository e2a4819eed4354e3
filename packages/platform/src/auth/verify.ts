import type * as Jose from 'jose';
import type { JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { appError, type AppError } from '../errors.js';
import { normaliseIdentity } from './identity.js';
import { loadJose, SIGNING_ALGORITHMS } from './keys.js';
import { BUREAU_CODE, LEGACY_BUREAU_CODE, Role, type Principal } from './roles.js';

const Claims = z.object({
  sub: z.string().min(1).max(200),
  roles: z.array(Role).min(1),
  bureau: z.string().regex(BUREAU_CODE).optional(),
  jti: z.string().optional(),
  exp: z.number(),
  iat: z.number(),
});

/** 24 hours: the longest `exp − iat` accepted unless configured otherwise. */
export const DEFAULT_MAX_LIFETIME_SECONDS = 86_400;
/** Seconds two clocks may disagree by, for `exp`, `nbf` and `iat`. */
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 60;

export interface VerifyOptions {
  keys: JWTVerifyGetKey;
  issuer?: string | undefined;
  audience?: string | undefined;
  /** The longest lifetime (`exp − iat`, seconds) a token may claim; also the oldest `iat` accepted. */
  maxLifetimeSeconds?: number | undefined;
  clockToleranceSeconds?: number | undefined;
  /**
   * The bureau of a token without a `bureau` claim: undefined means LEGACY_BUREAU_CODE; null means
   * such a token is refused (production, unless TOKEN_DEFAULT_BUREAU names one bureau for all).
   */
  defaultBureau?: string | null | undefined;
}

/** Verifies a bearer token; every failure is a 401 AppError saying why, never a 403. */
export async function verifyBearer(header: string | undefined, options: VerifyOptions): Promise<Principal> {
  if (!header) throw appError('UNAUTHENTICATED', 'send an Authorization: Bearer <token> header');
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header.trim());
  if (!match?.[1]) throw appError('TOKEN_INVALID', 'the Authorization header is not "Bearer <JWT>"');
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_LIFETIME_SECONDS;
  const tolerance = options.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS;
  const jose = await loadJose();
  let payload: unknown;
  try {
    ({ payload } = await jose.jwtVerify(match[1], options.keys, {
      algorithms: [...SIGNING_ALGORITHMS],
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      requiredClaims: ['sub', 'exp', 'iat'],
      // jose refuses an `iat` in the future (beyond the tolerance) or older than this.
      maxTokenAge: maxLifetime,
      clockTolerance: tolerance,
    }));
  } catch (err) {
    throw tokenError(err, jose.errors);
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    throw appError('TOKEN_INVALID', 'the token must carry a subject, iat, exp, a non-empty roles claim of known roles and, if any, a bureau of six digits');
  }
  // A token valid for centuries is a stolen credential that never stops working: its lifetime is capped.
  if (claims.data.exp - claims.data.iat > maxLifetime) {
    throw appError('TOKEN_INVALID', `the token's lifetime (exp − iat) is longer than the ${maxLifetime} s allowed`);
  }
  const subject = normaliseIdentity(claims.data.sub);
  if (subject === undefined) {
    throw appError('TOKEN_INVALID', 'the token subject must be letters a-z, digits and . _ @ + : - only (after NFKC and lower-casing)');
  }
  const bureau = claims.data.bureau ?? (options.defaultBureau === undefined ? LEGACY_BUREAU_CODE : options.defaultBureau);
  if (bureau === null) {
    throw appError('TOKEN_INVALID', 'the token must carry a bureau claim: the GB/T 2260 code of the caller\'s bureau (e.g. 331000)');
  }
  return { subject, roles: claims.data.roles, bureau, tokenId: claims.data.jti, expiresAt: claims.data.exp };
}

function tokenError(err: unknown, errors: typeof Jose.errors): AppError {
  if (err instanceof errors.JWTExpired && err.claim === 'iat') return appError('TOKEN_EXPIRED', 'the token was issued too long ago; ask for a new one');
  if (err instanceof errors.JWTExpired) return appError('TOKEN_EXPIRED', 'the token has expired; ask for a new one');
  if (err instanceof errors.JWKSNoMatchingKey) return appError('TOKEN_INVALID', 'the token was signed by an unknown key id');
  if (err instanceof errors.JWSSignatureVerificationFailed) return appError('TOKEN_INVALID', 'the token signature is not valid');
  if (err instanceof errors.JWTClaimValidationFailed) return appError('TOKEN_INVALID', `the token claim "${err.claim}" is not valid`);
  if (err instanceof errors.JOSEAlgNotAllowed) return appError('TOKEN_INVALID', 'the token algorithm is not allowed (EdDSA or ES256)');
  return appError('TOKEN_INVALID', 'the token could not be verified');
}

/**
 * `verifyBearer` with a small cache of tokens already verified: a client that reuses its token
 * skips the signature check on later requests. An entry lives until the token expires or for
 * `ttlMs`, whichever is sooner, so a key withdrawn from the JWKS stops working within `ttlMs`.
 */
export function cachedBearerVerifier(options: VerifyOptions, cache: { max?: number; ttlMs?: number; now?: () => number } = {}) {
  const max = cache.max ?? 10_000;
  const ttlMs = cache.ttlMs ?? 60_000;
  const now = cache.now ?? Date.now;
  const entries = new Map<string, { principal: Principal; until: number }>();
  /** The principal of a header verified before and still cached; no signature check. */
  const known = (header: string | undefined): Principal | undefined => {
    const hit = header === undefined ? undefined : entries.get(header);
    if (hit && hit.until > now()) return hit.principal;
    if (hit) entries.delete(header!);
    return undefined;
  };
  const verify = async (header: string | undefined): Promise<Principal> => {
    const hit = known(header);
    if (hit) return hit;
    const principal = await verifyBearer(header, options);
    const exp = principal.expiresAt === undefined ? Infinity : principal.expiresAt * 1000;
    if (entries.size >= max) entries.delete(entries.keys().next().value!);
    entries.set(header!, { principal, until: Math.min(exp, now() + ttlMs) });
    return principal;
  };
  return Object.assign(verify, { known });
}
