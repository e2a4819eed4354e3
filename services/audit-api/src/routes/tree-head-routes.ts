import { proseText, queryText } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { verifierKey } from '../checkpoint/note.js';
import { TreeHead, TREE_HEAD_STREAM, treeHeadFromEvent } from '../tree-heads/tree-head.js';
import { latestTreeHead } from '../tree-heads/sealer.js';
import { callerBureau, notFound } from '../bureau/bureau-scope.js';
import { READERS, SEALERS, tags, type AuditContext } from './context.js';

const Size = z.coerce.number().int().nonnegative();
const hex = (b: Buffer) => b.toString('hex');

export function treeHeadRoutes(app: HttpApp, ctx: AuditContext): void {
  app.get(
    '/v1/audit/public-key',
    {
      // Public, like a JWKS: a witness or a holder of a tlog-proof needs the key without an account.
      config: { public: true },
      schema: {
        tags,
        summary:
          'The Ed25519 public key tree heads and checkpoints are signed with (compare its keyId with one obtained out of band), and the same key as a C2SP note verifier key for the checkpoint origin (public)',
        response: {
          200: z.object({
            algorithm: z.literal('Ed25519'),
            keyId: z.string(),
            publicKeyPem: z.string(),
            /** The checkpoint origin, also the note key name. */
            origin: z.string(),
            /** `<origin>+<key hash>+<base64(0x01 ‖ key)>`: what Go's `note.NewVerifier` takes. */
            noteVerifierKey: z.string(),
          }),
        },
      },
    },
    async () => ({
      algorithm: 'Ed25519' as const,
      keyId: ctx.key.keyId,
      publicKeyPem: ctx.key.publicKeyPem,
      origin: ctx.origin,
      noteVerifierKey: verifierKey(ctx.origin, ctx.key.publicKey),
    }),
  );

  app.get(
    '/v1/audit/tree-heads',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: 'Sealed tree heads, oldest first',
        querystring: z.object({ fromRevision: Size.default(0), limit: z.coerce.number().int().min(1).max(1000).default(100) }),
        response: { 200: z.object({ treeHeads: z.array(TreeHead) }) },
      },
    },
    async (request) => {
      const events = await ctx.store.readStream(TREE_HEAD_STREAM, { fromRevision: request.query.fromRevision, limit: request.query.limit }).catch(() => []);
      return { treeHeads: events.map(treeHeadFromEvent) };
    },
  );

  app.get(
    '/v1/audit/tree-heads/latest',
    { config: { roles: READERS }, schema: { tags, summary: 'The latest sealed tree head', response: { 200: TreeHead } } },
    async () => {
      const head = await latestTreeHead(ctx.store);
      if (!head) throw appError('NOT_FOUND', 'no tree head has been sealed yet');
      return head;
    },
  );

  app.post(
    '/v1/audit/tree-heads',
    {
      config: { roles: SEALERS },
      schema: {
        tags,
        summary: 'Seals a tree head now over every event in the log (nothing new is sealed when only tree heads were appended since the latest)',
        body: z.strictObject({ reason: proseText(500).optional() }).optional(),
        response: { 200: TreeHead, 201: TreeHead },
      },
    },
    async (request, reply) => {
      const { created, head } = await ctx.sealer.seal({
        actorId: request.principal?.subject ?? 'unknown',
        actorRole: 'admin',
        correlationId: request.id,
        ...(request.body?.reason ? { reason: request.body.reason } : {}),
      });
      return reply.code(created ? 201 : 200).send(head);
    },
  );

  app.get(
    '/v1/audit/tree-heads/consistency',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: 'RFC 6962 consistency proof that the tree of size `from` is a prefix of the tree of size `to` (default: the latest head)',
        querystring: z.object({ from: Size, to: Size.optional() }),
        response: { 200: z.object({ from: z.number(), to: z.number(), fromRoot: z.string(), toRoot: z.string(), proof: z.array(z.string()) }) },
      },
    },
    async (request) => {
      const size = await ctx.leaves.catchUp();
      const to = request.query.to ?? (await latestTreeHead(ctx.store))?.treeSize ?? size;
      const { from } = request.query;
      if (from > to || to > size) {
        throw appError('VALIDATION_FAILED', `need from ≤ to ≤ ${size} (the log's size)`, { extra: { errors: [{ path: 'to', message: `from ${from}, to ${to}, log ${size}` }] } });
      }
      const levels = ctx.leaves.levels;
      return { from, to, fromRoot: hex(levels.rootAt(from)), toRoot: hex(levels.rootAt(to)), proof: levels.consistencyProof(from, to).map(hex) };
    },
  );

  app.get(
    '/v1/audit/streams/:stream/head',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: "A stream's head (last revision and hash) as of a tree head, with its inclusion path in that head's stream-head tree (default: the latest head)",
        params: z.object({ stream: queryText(200) }),
        querystring: z.object({ treeSize: Size.optional() }),
        response: {
          200: z.object({
            stream: z.string(),
            revision: z.number(),
            hash: z.string(),
            index: z.number(),
            streamCount: z.number(),
            streamHeadsRoot: z.string(),
            treeSize: z.number(),
            path: z.array(z.string()),
          }),
        },
      },
    },
    async (request) => {
      await ctx.bureaus.require(callerBureau(request), request.params.stream, notFound('stream', request.params.stream));
      const size = await ctx.leaves.catchUp();
      const treeSize = request.query.treeSize ?? (await latestTreeHead(ctx.store))?.treeSize ?? size;
      if (treeSize > size) throw appError('VALIDATION_FAILED', `the log has only ${size} events`, { extra: { errors: [{ path: 'treeSize', message: `above ${size}` }] } });
      const heads = await ctx.leaves.streamHeadsAt(treeSize);
      const head = heads.head(request.params.stream);
      if (!head) throw appError('NOT_FOUND', `stream ${request.params.stream} has no event among the first ${treeSize} of the log`);
      return { ...head, path: head.path.map(hex), streamCount: heads.count, streamHeadsRoot: hex(heads.root), treeSize };
    },
  );

  app.get(
    '/v1/audit/events/:id/inclusion',
    {
      config: { roles: READERS },
      schema: {
        tags,
        summary: 'RFC 6962 inclusion proof of an event in the tree of size `treeSize` (default: the latest head)',
        params: z.object({ id: z.uuid() }),
        querystring: z.object({ treeSize: Size.optional() }),
        response: {
          200: z.object({ eventId: z.string(), eventHash: z.string(), leafIndex: z.number(), treeSize: z.number(), leafHash: z.string(), rootHash: z.string(), path: z.array(z.string()) }),
        },
      },
    },
    async (request) => {
      const size = await ctx.leaves.catchUp();
      const treeSize = request.query.treeSize ?? (await latestTreeHead(ctx.store))?.treeSize ?? size;
      if (treeSize > size) throw appError('VALIDATION_FAILED', `the log has only ${size} events`, { extra: { errors: [{ path: 'treeSize', message: `above ${size}` }] } });
      const row = await ctx.leaves.indexOf(request.params.id);
      // An event of another bureau answers as an event that does not exist (before its place can show).
      if (!row || !(await ctx.bureaus.canSee(callerBureau(request), row.stream))) throw notFound('event', request.params.id)();
      if (row.idx >= treeSize) throw appError('NOT_FOUND', `event ${request.params.id} is at place ${row.idx}, after the tree of size ${treeSize}: seal a newer tree head first`);
      const levels = ctx.leaves.levels;
      return {
        eventId: row.eventId,
        eventHash: row.hash,
        leafIndex: row.idx,
        treeSize,
        leafHash: hex(levels.leaf(row.idx)),
        rootHash: hex(levels.rootAt(treeSize)),
        path: levels.inclusionProof(row.idx, treeSize).map(hex),
      };
    },
  );
}
