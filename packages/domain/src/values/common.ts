import { z } from 'zod';
import { Role } from '../roles.js';
import { IsoInstant } from './calendar.js';

export { Name, Text, RecordedName, RecordedText } from './text.js';

/**
 * Identifiers arrive with commands (the domain never generates one). They become part of stream
 * names, so they are restricted to a safe alphabet.
 */
export const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, ".", "_" or "-"');
export type Id = z.infer<typeof Id>;

/** Who acts: taken from the auth token by the HTTP layer, never from a request body. */
export const Actor = z.strictObject({ id: z.string().min(1).max(200), role: Role });
export type Actor = z.infer<typeof Actor>;

/** Every event records who recorded it and when (server clock, supplied by the command). */
export const recorded = { by: Actor, at: IsoInstant } as const;
