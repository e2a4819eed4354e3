import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';
import { KNOWN_TYPES } from './evidence/sniff.js';

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
  /**
   * The largest evidence file accepted, in bytes (issue 19); a larger upload is a 413 before it is
   * read whole. Default 20 MiB (20971520); at most 256 MiB.
   */
  EVIDENCE_MAX_BYTES: z.coerce
    .number({ error: 'expected a positive integer number of bytes' })
    .int('expected a positive integer number of bytes')
    .min(1, 'expected a positive integer number of bytes')
    .max(268_435_456, 'expected at most 268435456 bytes (256 MiB)')
    .default(20 * 1024 * 1024),
  /**
   * The media types evidence may have, comma-separated; each is checked on the bytes, so only types
   * the server recognises may be named (PDF, PNG, JPEG, DOCX, XLSX, PPTX, DOC, XLS; all by default).
   */
  EVIDENCE_TYPES: z
    .string()
    .default(KNOWN_TYPES.join(','))
    .transform((s, ctx) => {
      const types = [...new Set(s.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean))];
      const unknown = types.filter((t) => !(KNOWN_TYPES as readonly string[]).includes(t));
      if (types.length === 0 || unknown.length > 0) {
        ctx.addIssue({ code: 'custom', message: `expected some of ${KNOWN_TYPES.join(', ')}${unknown.length > 0 ? `; not recognised: ${unknown.join(', ')}` : ''}` });
        return z.NEVER;
      }
      return types;
    }),
};

/** Gongguan lifecycle API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3001, serviceName: 'lifecycle-api' }).extend(lifecycleConfigFields);
export type Config = z.output<typeof configSchema>;
