import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { addCheckpointBody, headFor, headOfSize, servedCheckpoint, tlogProofText } from '../checkpoint/served.js';
import { callerBureau, notFound } from '../bureau/bureau-scope.js';
import { READERS, tags, type AuditContext } from './context.js';

const Size = z.coerce.number().int().nonnegative();
const TEXT = 'text/plain; charset=utf-8';

/**
 * The log in the C2SP formats other tools verify (Go's sumdb `note` and `tlog`, witnesses):
 * checkpoints, tlog-proofs and tlog-witness consistency bodies, as text.
 *
 * Checkpoints and consistency proofs are public, like a JWKS: they carry sizes and hashes only,
 * and a witness of another office (or anyone holding a tlog-proof) must fetch them without an
 * account here. An event's tlog-proof names the event, so it stays with the audit readers.
 */
export function checkpointRoutes(app: HttpApp, ctx: AuditContext): void {
  /** Makes sure the in-memory tree reaches `treeSize` (a head's size is always in the witness). */
  const leavesUpTo = async (treeSize: number) => {
    if (ctx.leaves.levels.size < treeSize) await ctx.leaves.catchUp();
    if (ctx.leaves.levels.size < treeSize) throw appError('NOT_FOUND', `the log has only ${ctx.leaves.levels.size} leaves`);
    return ctx.leaves.levels;
  };

  app.get(
    '/v1/audit/checkpoint',
    {
      config: { public: true },
      schema: { tags, summary: 'The latest tree head as a C2SP tlog-checkpoint signed note, with any witness cosignatures (public)', produces: ['text/plain'] },
    },
    async (_request, reply) => {
      const { checkpoint } = await servedCheckpoint(ctx, await headFor(ctx.store, undefined), 'yet: nothing has been sealed');
      return reply.type(TEXT).header('cache-control', 'no-cache').send(checkpoint);
    },
  );

  app.get(
    '/v1/audit/checkpoints/:treeSize',
    {
      config: { public: true },
      schema: {
        tags,
        summary: 'The checkpoint of the tree head of size `treeSize` (a stable URL; public)',
        params: z.object({ treeSize: Size }),
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const { treeSize } = request.params;
      const { checkpoint } = await servedCheckpoint(ctx, await headOfSize(ctx.store, treeSize), `of size ${treeSize}`);
      return reply.type(TEXT).send(checkpoint);
    },
  );

  app.get(
    '/v1/audit/checkpoints/:treeSize/consistency',
    {
      config: { public: true },
      schema: {
        tags,
        summary:
          'C2SP tlog-witness add-checkpoint body: `old <old>`, the RFC 6962 consistency proof from size `old` (base64 lines), a blank line, the checkpoint of size `treeSize` (public)',
        params: z.object({ treeSize: Size }),
        querystring: z.object({ old: Size }),
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const { treeSize } = request.params;
      const { old } = request.query;
      if (old > treeSize) throw appError('VALIDATION_FAILED', `old must be ≤ ${treeSize}`, { extra: { errors: [{ path: 'old', message: `${old} > ${treeSize}` }] } });
      const { checkpoint } = await servedCheckpoint(ctx, await headOfSize(ctx.store, treeSize), `of size ${treeSize}`);
      const levels = await leavesUpTo(treeSize);
      return reply.type(TEXT).send(addCheckpointBody(old, old === 0 ? [] : levels.consistencyProof(old, treeSize), checkpoint));
    },
  );

  app.get(
    '/v1/audit/events/:id/tlog-proof',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary:
          'C2SP tlog-proof of an event in the tree head of size `treeSize` (default: the latest head): its leaf index, RFC 6962 inclusion path and that checkpoint. The entry is the 32 raw bytes of the event hash',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ treeSize: Size.optional() }),
        produces: ['text/plain'],
      },
    },
    async (request, reply) => {
      const { treeSize } = request.query;
      const what = treeSize === undefined ? 'yet: nothing has been sealed' : `of size ${treeSize}`;
      const { head, checkpoint } = await servedCheckpoint(ctx, await headFor(ctx.store, treeSize), what);
      const size = head.treeSize;
      const row = await ctx.leaves.indexOf(request.params.id);
      // An event of another bureau answers as an event that does not exist (before its place can show).
      if (!row || !(await ctx.bureaus.canSee(callerBureau(request), row.stream))) throw notFound('event', request.params.id)();
      if (row.idx >= size) throw appError('NOT_FOUND', `event ${request.params.id} is at place ${row.idx}, after the tree head of size ${size}: seal a newer tree head first`);
      const levels = await leavesUpTo(size);
      return reply.type(TEXT).send(tlogProofText(row.idx, levels.inclusionProof(row.idx, size), checkpoint));
    },
  );
}
