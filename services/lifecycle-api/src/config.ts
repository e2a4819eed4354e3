import { baseConfigSchema } from '@gongguan/platform';
import type { z } from 'zod';

/** Gongguan lifecycle API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3001, serviceName: 'lifecycle-api' });
export type Config = z.output<typeof configSchema>;
