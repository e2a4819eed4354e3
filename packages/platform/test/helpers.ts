import { exportJWK, generateKeyPair, createLocalJWKSet, type JWK } from 'jose';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createHttpApp, createLogger, signToken, type HttpApp, type Role } from '@gongguan/platform';

export interface TestKeys {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function makeKeys(kid: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<TestKeys> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return {
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg },
  };
}

/** Collects log lines so tests can read what was written. */
export function logSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      cb();
    },
  });
  return { lines, stream };
}

/** An app with one protected JSON route and a tiny body limit, as the services build theirs. */
export async function testApp(
  keys: TestKeys[],
  opts: {
    bodyLimit?: number;
    rateLimits?: { commandsPerMinute: number; readsPerMinute: number };
    requestTimeoutMs?: number;
    auth?: { maxLifetimeSeconds?: number; clockToleranceSeconds?: number; defaultBureau?: string | null };
    trustProxy?: string;
  } = {},
) {
  const sink = logSink();
  const app: HttpApp = await createHttpApp({
    logger: createLogger({ level: 'info', destination: sink.stream }),
    bodyLimit: opts.bodyLimit ?? 1024,
    auth: { keys: createLocalJWKSet({ keys: keys.map((k) => k.publicJwk) }), ...opts.auth },
    title: 'test',
    ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}),
    ...(opts.requestTimeoutMs ? { requestTimeoutMs: opts.requestTimeoutMs } : {}),
    ...(opts.trustProxy ? { trustProxy: opts.trustProxy } : {}),
  });
  app.post(
    '/v1/things',
    {
      config: { roles: ['officer'] },
      schema: {
        body: z.strictObject({ name: z.string().min(1), amountFen: z.number().int().nonnegative() }),
        response: { 201: z.object({ name: z.string() }) },
      },
    },
    async (request, reply) => reply.code(201).send({ name: request.body.name }),
  );
  app.get('/v1/things/:id', { config: { roles: ['officer', 'auditor'] } }, async (request) => ({
    id: (request.params as { id: string }).id,
    subject: request.principal?.subject,
    bureau: request.principal?.bureau,
  }));
  return { app, logs: sink.lines };
}

export function token(keys: TestKeys, roles: Role[], extra: { subject?: string; ttlSeconds?: number; now?: number; bureau?: string } = {}) {
  return signToken(keys.privateJwk, {
    subject: extra.subject ?? 'alice',
    roles,
    ...(extra.ttlSeconds === undefined ? {} : { ttlSeconds: extra.ttlSeconds }),
    ...(extra.now === undefined ? {} : { now: extra.now }),
    ...(extra.bureau === undefined ? {} : { bureau: extra.bureau }),
  });
}
