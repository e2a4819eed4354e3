import { baseConfigSchema } from '@gongguan/platform';
import type { z } from 'zod';

/** Gongguan projector settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3002, serviceName: 'projector' });
export type Config = z.output<typeof configSchema>;
