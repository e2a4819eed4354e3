import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { BaseConfig } from '../config.js';
import { ensureDevKeys, keyResolver } from '../auth/keys.js';

/**
 * The public keys tokens are verified against: JWKS_URL or JWKS_FILE when configured; otherwise
 * (never in production, which config refuses) the embedded default's own key pair in DATA_DIR.
 */
export async function resolveVerificationKeys(config: BaseConfig, logger: Logger): Promise<JWTVerifyGetKey> {
  if (config.JWKS_URL || config.JWKS_FILE) {
    return keyResolver({ jwksUrl: config.JWKS_URL, jwksFile: config.JWKS_FILE });
  }
  const keys = await ensureDevKeys(config.DATA_DIR);
  if (keys.created) logger.warn({ jwks: keys.jwks }, 'created a development signing key pair; never use it in production');
  return keyResolver({ jwksFile: keys.jwks });
}
