import { z } from 'zod';

/**
 * What a correcting (compensating) event names: the event it corrects, by id and type. The
 * original stays in its stream untouched; the audit API pairs the two through this field. The
 * application service finds the original in the stream it loaded and puts it in the command, as
 * it puts the programme's snapshot in SubmitProject: the user never sends it.
 */
export const Corrects = z.strictObject({
  eventId: z.string().min(1).max(100),
  type: z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,99}$/),
});
export type Corrects = z.infer<typeof Corrects>;
