import { queryText } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { buildBundle } from '../bundle/build-bundle.js';
import { READERS, tags, type AuditContext } from './context.js';

const BundleResponse = z.object({
  manifest: z.object({
    format: z.string(),
    createdAt: z.string(),
    scope: z.object({ kind: z.enum(['project', 'programme']), id: z.string() }),
    treeHead: z.object({ treeSize: z.number(), rootHash: z.string(), keyId: z.string() }),
    events: z.number(),
    eventsAfterTreeHead: z.number(),
    files: z.array(z.object({ name: z.string(), sha256: z.string(), bytes: z.number() })),
  }),
  files: z.record(z.string(), z.string()),
});

export function bundleRoutes(app: HttpApp, ctx: AuditContext): void {
  for (const kind of ['project', 'programme'] as const) {
    app.get(
      `/v1/audit/${kind}s/:id/bundle`,
      {
        config: { roles: READERS },
        schema: {
          tags,
          summary: `An audit bundle of a ${kind} (events, signed tree head, inclusion proofs, public key, manifest) as one JSON document of files`,
          params: z.object({ id: queryText(200) }),
          response: { 200: BundleResponse },
        },
      },
      async (request) => buildBundle(ctx, { kind, id: request.params.id }),
    );
  }
}
