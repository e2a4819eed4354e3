import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { tags, type AuditContext } from './context.js';

const TreeSizeParam = z.object({ treeSize: z.coerce.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER) });

const Cosignature = z.object({
  origin: z.string(),
  treeSize: z.number(),
  rootHash: z.string(),
  witness: z.string(),
  keyId: z.string(),
  timestamp: z.number(),
  line: z.string(),
});

/**
 * Witness cosignatures (C2SP tlog-cosignature) of sealed checkpoints. Public, both ways, as in
 * C2SP tlog-witness: a cosignature authenticates itself (only a configured witness's key over the
 * sealed checkpoint is stored, once per witness and size), and the witness is another office with
 * no account here — an admin token for it would open every admin route of the system.
 */
export function cosignatureRoutes(app: HttpApp, ctx: AuditContext): void {
  app.get(
    '/v1/audit/checkpoints/:treeSize/cosignatures',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'The witness cosignatures stored for the checkpoint of this size (its lines go under the checkpoint)',
        params: TreeSizeParam,
        response: { 200: z.object({ treeSize: z.number(), cosignatures: z.array(Cosignature) }) },
      },
    },
    async (request) => ({ treeSize: request.params.treeSize, cosignatures: await ctx.cosignatures.cosignatures(request.params.treeSize) }),
  );

  // Only this route reads text (the platform takes JSON alone), so the parser lives in its own scope.
  app.register(async (scope: HttpApp) => {
    scope.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 65_536 }, (_request, body, done) => done(null, body));
    scope.post(
      '/v1/audit/checkpoints/:treeSize/cosignatures',
      {
        config: { public: true },
        schema: {
          tags,
          summary:
            'Stores witness cosignatures (text/plain: note signature lines `— <witness> <base64>`) of the checkpoint of this size. Each must be from a key in AUDIT_WITNESS_KEYS and verify over the sealed checkpoint; 201 when one is new, 200 when all were stored before (public: the cosignature authenticates itself)',
          consumes: ['text/plain'],
          params: TreeSizeParam,
          body: z.string().min(1).max(65_536),
          response: {
            200: z.object({ treeSize: z.number(), cosignatures: z.array(Cosignature.extend({ new: z.boolean() })) }),
            201: z.object({ treeSize: z.number(), cosignatures: z.array(Cosignature.extend({ new: z.boolean() })) }),
          },
        },
      },
      async (request, reply) => {
        const result = await ctx.cosignatures.add(request.params.treeSize, request.body, { correlationId: request.id });
        return reply.code(result.created ? 201 : 200).send({ treeSize: result.treeSize, cosignatures: result.cosignatures });
      },
    );
  });
}
