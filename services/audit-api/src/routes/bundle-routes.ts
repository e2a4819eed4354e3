import { queryText } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { buildBundle, type BundleScope } from '../bundle/build-bundle.js';
import { LEDGER_STREAM } from '@gongguan/domain';
import { callerBureau } from '../bureau/bureau-scope.js';
import { READERS, tags, type AuditContext } from './context.js';

const BundleResponse = z.object({
  manifest: z.object({
    format: z.string(),
    createdAt: z.string(),
    scope: z.object({ kind: z.enum(['project', 'programme', 'ledger']), id: z.string() }),
    treeHead: z.object({ treeSize: z.number(), rootHash: z.string(), keyId: z.string(), streamCount: z.number(), streamHeadsRoot: z.string() }),
    key: z.object({ keyId: z.string(), noteKeyName: z.string(), noteKeyId: z.string(), verifierKey: z.string() }),
    events: z.number(),
    streams: z.number(),
    eventsAfterTreeHead: z.number(),
    files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number() })),
    evidence: z
      .object({ included: z.boolean(), files: z.array(z.object({ sha256: z.string(), bytes: z.number(), mediaType: z.string(), names: z.array(z.string()) })) })
      .describe('The evidence files the carried events record, each once; included: their bytes are in `evidence`'),
  }),
  files: z.record(z.string(), z.string()),
  evidence: z
    .array(z.object({ sha256: z.string(), bytes: z.number(), mediaType: z.string(), base64: z.string().describe("The file's bytes, base64 (RFC 4648 §4)") }))
    .optional()
    .describe('With ?evidence=true: every evidence file the events record; write each as evidence/<sha256> beside the other files to verify'),
});

const BundleQuery = z.strictObject({
  evidence: z.enum(['true', 'false']).optional().describe('true: carry the bytes of every evidence file the events record (at most AUDIT_BUNDLE_EVIDENCE_MAX_BYTES in all; 413 beyond)'),
});

const scopes = [
  { kind: 'project', url: '/v1/audit/projects/:id/bundle', what: 'a project (its stream and every stream its money depends on)', id: queryText(200) },
  { kind: 'programme', url: '/v1/audit/programmes/:id/bundle', what: 'a programme (its stream, its projects and every stream their money depends on)', id: queryText(200) },
  {
    kind: 'ledger',
    url: '/v1/audit/ledgers/:id/bundle',
    what: 'an enterprise-year ledger (R2 subsidy-<credit code>-<year> or R3 r3-<credit code>-<year>) with every disbursement claiming it and their bank references',
    id: queryText(200).pipe(z.string().regex(LEDGER_STREAM, 'expected subsidy-[<bureau>-]<credit code>-<year> or r3-[<bureau>-]<credit code>-<year>')),
  },
] as const satisfies ReadonlyArray<{ kind: BundleScope['kind']; url: string; what: string; id: z.ZodType<string> }>;

/** The seal an export makes first is the caller's. */
const actorOf = (request: FastifyRequest) => ({
  actorId: request.principal?.subject ?? 'unknown',
  actorRole: request.principal?.roles.find((r) => READERS.includes(r)) ?? 'unknown',
  correlationId: request.id,
});

export function bundleRoutes(app: HttpApp, ctx: AuditContext): void {
  for (const scope of scopes) {
    app.get(
      scope.url,
      {
        config: { roles: READERS },
        schema: {
          tags,
          summary: `An audit bundle of ${scope.what}, sealed first: every carried stream whole up to the new tree head, with inclusion and stream-head proofs, the signed head, its checkpoint and key, as one JSON document of files`,
          params: z.object({ id: scope.id }),
          querystring: BundleQuery,
          response: { 200: BundleResponse },
        },
      },
      async (request) => {
        const bureau = callerBureau(request);
        const withEvidence = request.query.evidence === 'true';
        return buildBundle(
          ctx,
          { kind: scope.kind, id: request.params.id },
          actorOf(request),
          {
            resource: (stream, missing) => ctx.bureaus.require(bureau, stream, missing),
            all: (streams) => ctx.bureaus.requireAll(bureau, streams),
          },
          withEvidence ? { evidence: { maxBytes: ctx.bundleEvidenceMaxBytes } } : {},
        );
      },
    );
  }
}
