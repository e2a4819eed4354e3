import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';

/** Gongguan projector settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3002, serviceName: 'projector' }).extend({
  /** Most events applied per transaction (default 2000). Optional: the all-in-one does not parse it. */
  PROJECTOR_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type Config = z.output<typeof configSchema>;
