import { baseConfigSchema } from '@gongguan/platform';
import type { z } from 'zod';

/** Gongguan reporting API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3003, serviceName: 'reporting-api' });
export type Config = z.output<typeof configSchema>;
