import { errors, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';
import { appError, type AppError } from '../errors.js';
import { SIGNING_ALGORITHMS } from './keys.js';
import { Role, type Principal } from './roles.js';

const Claims = z.object({
  sub: z.string().min(1).max(200),
  roles: z.array(Role).min(1),
  jti: z.string().optional(),
});

export interface VerifyOptions {
  keys: JWTVerifyGetKey;
  issuer?: string | undefined;
  audience?: string | undefined;
}

/** Verifies a bearer token; every failure is a 401 AppError saying why, never a 403. */
export async function verifyBearer(header: string | undefined, options: VerifyOptions): Promise<Principal> {
  if (!header) throw appError('UNAUTHENTICATED', 'send an Authorization: Bearer <token> header');
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/.exec(header.trim());
  if (!match?.[1]) throw appError('TOKEN_INVALID', 'the Authorization header is not "Bearer <JWT>"');
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(match[1], options.keys, {
      algorithms: [...SIGNING_ALGORITHMS],
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.audience ? { audience: options.audience } : {}),
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (err) {
    throw tokenError(err);
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success) {
    throw appError('TOKEN_INVALID', 'the token must carry a subject and a non-empty roles claim of known roles');
  }
  return { subject: claims.data.sub, roles: claims.data.roles, tokenId: claims.data.jti };
}

function tokenError(err: unknown): AppError {
  if (err instanceof errors.JWTExpired) return appError('TOKEN_EXPIRED', 'the token has expired; ask for a new one');
  if (err instanceof errors.JWKSNoMatchingKey) return appError('TOKEN_INVALID', 'the token was signed by an unknown key id');
  if (err instanceof errors.JWSSignatureVerificationFailed) return appError('TOKEN_INVALID', 'the token signature is not valid');
  if (err instanceof errors.JWTClaimValidationFailed) return appError('TOKEN_INVALID', `the token claim "${err.claim}" is not valid`);
  if (err instanceof errors.JOSEAlgNotAllowed) return appError('TOKEN_INVALID', 'the token algorithm is not allowed (EdDSA or ES256)');
  return appError('TOKEN_INVALID', 'the token could not be verified');
}
