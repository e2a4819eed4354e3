import type { HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { tags, type AuditContext } from './context.js';

/** Every tree-head key the log has used, with its validity. */
export function keyRoutes(app: HttpApp, ctx: AuditContext): void {
  app.get(
    '/v1/audit/public-keys',
    {
      // Public, like /public-key: witnesses and auditors of other offices need the keys, and nothing else is in them.
      config: { public: true },
      schema: {
        tags,
        summary:
          'Every Ed25519 key tree heads were signed with, one entry per activation, oldest first: a head verifies with the key its keyId names, sealed within validFrom (null: since the log began) … validUntil (null: current)',
        response: {
          200: z.object({
            keys: z.array(
              z.object({
                algorithm: z.literal('Ed25519'),
                keyId: z.string(),
                publicKeyPem: z.string(),
                verifierKey: z.string(),
                activatedAt: z.string(),
                validFrom: z.string().nullable(),
                validUntil: z.string().nullable(),
                current: z.boolean(),
              }),
            ),
          }),
        },
      },
    },
    async () => ({ keys: (await ctx.keys.list()).map((k) => ({ algorithm: 'Ed25519' as const, ...k })) }),
  );
}
