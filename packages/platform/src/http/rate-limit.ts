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

/**
 * A token bucket per client and route class. The client is the token's subject when the request
 * is authenticated, else its address, so one busy reporting job cannot starve the officers.
 * Health, readiness and metrics are never limited.
 */
export function registerRateLimit(app: FastifyInstance, limits: RateLimits, now: () => number = Date.now): void {
  if (limits.commandsPerMinute === 0 && limits.readsPerMinute === 0) return;
  const buckets = new Map<string, Bucket>();
  const sweep = setInterval(() => {
    const cutoff = now() - 120_000;
    for (const [key, bucket] of buckets) if (bucket.updated < cutoff) buckets.delete(key);
  }, 60_000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));

  // After authentication (onRequest), so the subject is known; before the body is read.
  app.addHook('preParsing', async (request: FastifyRequest) => {
    if (request.routeOptions.config.public) return;
    const isRead = request.method === 'GET' || request.method === 'HEAD';
    const perMinute = isRead ? limits.readsPerMinute : limits.commandsPerMinute;
    if (perMinute === 0) return;
    const key = `${isRead ? 'r' : 'c'}|${request.principal?.subject ?? `ip:${request.ip}`}`;
    const t = now();
    const bucket = buckets.get(key) ?? { tokens: perMinute, updated: t };
    bucket.tokens = Math.min(perMinute, bucket.tokens + ((t - bucket.updated) * perMinute) / 60_000);
    bucket.updated = t;
    buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const wait = Math.ceil(((1 - bucket.tokens) * 60_000) / perMinute / 1000);
      throw appError('RATE_LIMITED', `more than ${perMinute} ${isRead ? 'reads' : 'commands'} a minute; retry in ${wait} s`, {
        headers: { 'retry-after': String(wait) },
      });
    }
    bucket.tokens -= 1;
  });
}
