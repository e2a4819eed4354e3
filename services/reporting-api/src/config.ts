import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';

/** The reporting API's own settings; the all-in-one extends its schema with them too. */
export const reportingConfigFields = {
  /** Longest `?minPosition=` wait before 503 (default 5000). */
  REPORTING_MAX_WAIT_MS: z.coerce.number().int().min(0).max(60_000).optional(),
};

/** Gongguan reporting API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3003, serviceName: 'reporting-api' }).extend(reportingConfigFields);
export type Config = z.output<typeof configSchema>;
