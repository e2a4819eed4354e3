import { recordedMetadataSchema } from '@gongguan/event-store';
import { z } from 'zod';
import { CorrectedRef, CorrectionRef } from '../corrections/pairing.js';

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

/**
 * A history entry: the stored event, and its pairing with corrections (issue 19). A correcting
 * event (its data carries `corrects`) names the original and where it is; an original lists every
 * correction of it (`correctedBy`). A back-recorded event shows who entered it in `metadata.backRecorded`.
 */
export const HistoryEntry = AuditEvent.extend({
  corrects: CorrectedRef.optional().describe('The event this one corrects (its data.corrects), located in the history read: stream and revision, null when not among it'),
  correctedBy: z.array(CorrectionRef).optional().describe('The corrections of this event, in store order: each with its reason, who and when; the original stays as recorded'),
});
