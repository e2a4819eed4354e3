import { queryText } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { firstProblem, VerificationProblem } from '../verify/problems.js';
import { verifyStore } from '../verify/verify-store.js';
import { verifyStream } from '../verify/verify-stream.js';
import { callerBureau, notFound } from '../bureau/bureau-scope.js';
import { READERS, tags, type AuditContext } from './context.js';

const FirstBad = z.object({
  eventId: z.string().nullable(),
  revision: z.number(),
  problem: z.string(),
  detail: z.string(),
  expected: z.string(),
  actual: z.string(),
});

export function verifyRoutes(app: HttpApp, ctx: AuditContext): void {
  app.get(
    '/v1/audit/streams/:stream/verify',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "Verifies one stream's hash chain, and that every event sealed for it is still there unchanged",
        params: z.object({ stream: queryText(200) }),
        response: {
          200: z.object({
            stream: z.string(),
            ok: z.boolean(),
            count: z.number(),
            sealedCount: z.number(),
            lastHash: z.string().optional(),
            firstBadEvent: FirstBad.optional(),
          }),
        },
      },
    },
    async (request) => {
      await ctx.bureaus.requireVerifiable(callerBureau(request), request.params.stream, ctx.sql, notFound('stream', request.params.stream));
      return verifyStream(ctx.store, ctx.sql, request.params.stream);
    },
  );

  app.get(
    '/v1/audit/verify',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: 'Verifies the whole store: every hash chain, the log against what was sealed, every signed tree head (progress in the logs)',
        response: {
          200: z.object({
            ok: z.boolean(),
            events: z.number(),
            streams: z.number(),
            treeHeads: z.object({ checked: z.number(), latest: z.object({ treeSize: z.number(), rootHash: z.string() }).nullable(), streamHeadsChecked: z.number() }),
            witness: z.object({ size: z.number(), matchesStore: z.boolean() }),
            problemCount: z.number(),
            /** Problems of records outside the caller's bureau subtree: counted, shown without what names them. */
            problemsOutsideBureau: z.number(),
            problems: z.array(VerificationProblem),
            firstBadEvent: VerificationProblem.nullable(),
            durationMs: z.number(),
          }),
        },
      },
    },
    async (request) => {
      const report = await verifyStore({ store: ctx.store, sql: ctx.sql, keys: await ctx.keys.all(), logger: request.log });
      const problems = await ctx.bureaus.redactProblems(callerBureau(request), report.problems);
      const problemsOutsideBureau = problems.filter((p, i) => p !== report.problems[i]).length;
      return { ...report, problemsOutsideBureau, problems, firstBadEvent: firstProblem(problems) };
    },
  );
}
