import type { FastifyInstance, FastifyRequest } from 'fastify';
import { appError } from '../errors.js';

export interface RateLimits {
  /** Commands (POST, PUT, PATCH, DELETE) per client per minute; 0 turns the limit off. */
  commandsPerMinute: number;
  /** Reads (GET, HEAD) per client per minute; 0 turns the limit off. */
  readsPerMinute: number;
}

interface Bucket {
  tokens: number;
  updated: number;
}

/** The two moments the limiter acts, around authentication. */
export interface RateLimiter {
  /**
   * Before the token is checked: an address that has spent its allowance on requests without a
   * valid token is refused here, so a flood of bad tokens costs no signature checks.
   */
  beforeAuth(request: FastifyRequest): void;
  /** The token was missing or bad: the request counts against its address. */
  authFailed(request: FastifyRequest): void;
  /** The token is good: the request counts against its subject. */
  authenticated(request: FastifyRequest, subject: string): void;
}

const off: RateLimiter = { beforeAuth: () => undefined, authFailed: () => undefined, authenticated: () => undefined };

/**
 * A token bucket per client and route class. The client is the token's subject when the token is
 * good, else the request's address, so one busy reporting job cannot starve the officers and a
 * caller without a valid token is limited before its tokens are verified. Health, readiness and
 * metrics are public and never limited.
 */
export function registerRateLimit(app: FastifyInstance, limits: RateLimits, now: () => number = Date.now): RateLimiter {
  if (limits.commandsPerMinute === 0 && limits.readsPerMinute === 0) return off;
  const buckets = new Map<string, Bucket>();
  const sweep = setInterval(() => {
    const cutoff = now() - 120_000;
    for (const [key, bucket] of buckets) if (bucket.updated < cutoff) buckets.delete(key);
  }, 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  const classOf = (request: FastifyRequest) => {
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    return { isRead, perMinute: isRead ? limits.readsPerMinute : limits.commandsPerMinute };
  };

  /**
   * Refills the bucket, then: `check` throws 429 when less than one token is left, `take` does
   * that and spends one, `spend` spends one without refusing (the request already has its answer).
   */
  const charge = (request: FastifyRequest, client: string, mode: 'check' | 'take' | 'spend'): void => {
    const { isRead, perMinute } = classOf(request);
    if (perMinute === 0) return;
    const key = `${isRead ? 'r' : 'c'}|${client}`;
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, updated: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((t - bucket.updated) * perMinute) / 60_000);
    bucket.updated = t;
    buckets.set(key, bucket);
    if (mode === 'spend') {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return;
    }
    if (bucket.tokens < 1) {
      const wait = Math.ceil(((1 - bucket.tokens) * 60_000) / perMinute / 1000);
      throw appError('RATE_LIMITED', `more than ${perMinute} ${isRead ? 'reads' : 'commands'} a minute; retry in ${wait} s`, {
        headers: { 'retry-after': String(wait) },
      });
    }
    if (mode === 'take') bucket.tokens -= 1;
  };

  const address = (request: FastifyRequest) => `ip:${request.ip}`;
  return {
    beforeAuth: (request) => charge(request, address(request), 'check'),
    authFailed: (request) => charge(request, address(request), 'spend'),
    // Prefixed, so a subject spelled like an address never shares that address's bucket.
    authenticated: (request, subject) => charge(request, `sub:${subject}`, 'take'),
  };
}
