import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';

/** The projector's own settings; the all-in-one extends its schema with them too. */
export const projectorConfigFields = {
  /** Most events applied per transaction (default 2000). */
  PROJECTOR_MAX_BATCH: z.coerce.number().int().min(1).max(10_000).optional(),
};

/** Gongguan projector settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3002, serviceName: 'projector' }).extend(projectorConfigFields);
export type Config = z.output<typeof configSchema>;
