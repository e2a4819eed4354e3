import { z } from 'zod';

/** A stored event exactly as the store gives it: who, when (recorded and effective), why, and its hashes. */
export const AuditEvent = z.object({
  id: z.string(),
  stream: z.string(),
  revision: z.number().int(),
  position: z.string(),
  type: z.string(),
  schemaVersion: z.number().int(),
  data: z.record(z.string(), z.unknown()),
  metadata: z.object({
    actorId: z.string(),
    actorRole: z.string(),
    correlationId: z.string(),
    causationId: z.string().nullable(),
    recordedAt: z.string(),
    effectiveDate: z.string().optional(),
    reason: z.string().optional(),
  }),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
