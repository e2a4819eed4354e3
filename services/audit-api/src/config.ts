import { baseConfigSchema } from '@gongguan/platform';
import type { z } from 'zod';

/** Gongguan audit API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3004, serviceName: 'audit-api' });
export type Config = z.output<typeof configSchema>;
