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
  /**
   * How long an Idempotency-Key is remembered, in hours; keys older than that are purged every
   * 10 minutes. 0 keeps them for ever. Default 72 (a retry over a weekend still replays).
   */
  IDEMPOTENCY_RETENTION_HOURS: z.coerce
    .number({ error: 'expected a non-negative integer number of hours (0 = keep for ever)' })
    .int('expected a non-negative integer number of hours (0 = keep for ever)')
    .min(0, 'expected a non-negative integer number of hours (0 = keep for ever)')
    .max(87_600, 'expected at most 87600 hours (10 years)')
    .default(72),
};

/** Gongguan lifecycle API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3001, serviceName: 'lifecycle-api' }).extend(lifecycleConfigFields);
export type Config = z.output<typeof configSchema>;
