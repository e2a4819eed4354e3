import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { isStorageUnreachable } from '../db/unreachable.js';
import { appError } from '../errors.js';
import { sendProblem } from './problem.js';
import type { ReadinessCheck, ReadinessResult } from './types.js';

/**
 * Why a component is not ready, as `/readyz` names it to anyone. Stable: load balancers and
 * dashboards branch on it. What exactly failed (an error text, an event id, a stream) is logged
 * and shown to admins at `GET /v1/admin/readiness`, never to the unauthenticated probe.
 */
export const readinessCodes = {
  DATABASE_UNREACHABLE: 'the database does not answer',
  PROJECTION_STOPPED: 'a projection stopped at an event it could not apply',
  PROJECTOR_FAILING: 'the projector failed and has not caught up with the store since',
  CHECK_FAILED: 'the readiness check itself failed',
  CHECK_TIMED_OUT: 'the readiness check did not answer in time',
} as const;

export type ReadinessCode = keyof typeof readinessCodes;

/** A check slower than this counts as not ready: a probe must answer in seconds, not hang with the database. */
const CHECK_TIMEOUT_MS = 3_000;

async function runCheck(check: ReadinessCheck): Promise<ReadinessResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ReadinessResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, code: 'CHECK_TIMED_OUT', detail: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check(), timeout]);
  } catch (err) {
    return { ok: false, code: isStorageUnreachable(err) ? 'DATABASE_UNREACHABLE' : 'CHECK_FAILED', detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

const DetailedSchema = z.object({
  status: z.enum(['ready', 'not-ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), code: z.string().optional(), detail: z.string().optional() })),
});

/**
 * `/readyz` (public: status and, per failing component, its code) and `GET /v1/admin/readiness`
 * (admins: the details too). Every answer runs the checks afresh: readiness is the present, not
 * the worst thing that ever happened. A change of state is logged once, with the details.
 */
export function registerReadiness(app: FastifyInstance, checks: ReadonlyMap<string, ReadinessCheck>): void {
  const log = app.log.child({ component: 'readiness' });
  let reported = '';
  async function evaluate(): Promise<{ ready: boolean; results: Record<string, ReadinessResult> }> {
    const entries = await Promise.all([...checks].map(async ([name, check]) => [name, await runCheck(check)] as const));
    const results = Object.fromEntries(entries);
    const failing = entries.filter(([, r]) => !r.ok);
    const state = JSON.stringify(failing);
    if (state !== reported) {
      if (failing.length > 0) log.warn({ checks: Object.fromEntries(failing) }, `not ready: ${failing.map(([n, r]) => `${n} ${r.code ?? ''}: ${r.detail ?? ''}`).join('; ')}`);
      else if (reported !== '') log.info('ready again');
      reported = state;
    }
    return { ready: failing.length === 0, results };
  }

  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
    const { ready, results } = await evaluate();
    const checks = Object.fromEntries(Object.entries(results).map(([name, r]) => [name, r.ok ? { ok: true } : { ok: false, code: r.code ?? 'CHECK_FAILED' }]));
    if (ready) return { status: 'ready', checks };
    const failing = Object.entries(checks).filter(([, r]) => !r.ok);
    return sendProblem(
      reply,
      appError('NOT_READY', `not ready: ${failing.map(([name, r]) => `${name} (${r.code})`).join(', ')}`, {
        extra: { checks },
        headers: { 'retry-after': '5' },
      }),
    );
  });

  app.get(
    '/v1/admin/readiness',
    {
      config: { roles: ['admin'] },
      schema: {
        tags: ['operations'],
        summary: "Each readiness check with what exactly is wrong (the public /readyz gives only each failing component's code)",
        response: { 200: DetailedSchema },
      },
    },
    async () => {
      const { ready, results } = await evaluate();
      return { status: ready ? ('ready' as const) : ('not-ready' as const), checks: results };
    },
  );
}
