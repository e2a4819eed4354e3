import { recordedMetadataSchema } from '@gongguan/event-store';
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
  metadata: recordedMetadataSchema,
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
