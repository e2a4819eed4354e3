import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';

/** Gongguan reporting API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3003, serviceName: 'reporting-api' }).extend({
  /** Longest `?minPosition=` wait before 503 (default 5000). Optional: the all-in-one does not parse it. */
  REPORTING_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).optional(),
});
export type Config = z.output<typeof configSchema>;
