import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';

/** The lifecycle API's own settings; the all-in-one extends its schema with them too. */
export const lifecycleConfigFields = {
  /**
   * How many aggregates' folded states are kept between commands (least recently used out);
   * 0 turns the cache off, and every command reads its whole stream. Default 10000.
   */
  AGGREGATE_CACHE_STREAMS: z.coerce
    .number({ error: 'expected a non-negative integer number of streams (0 = off)' })
    .int('expected a non-negative integer number of streams (0 = off)')
    .min(0, 'expected a non-negative integer number of streams (0 = off)')
    .max(10_000_000, 'expected at most 10000000 streams')
    .default(10_000),
};

/** Gongguan lifecycle API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3001, serviceName: 'lifecycle-api' }).extend(lifecycleConfigFields);
export type Config = z.output<typeof configSchema>;
