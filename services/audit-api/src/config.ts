import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';
import { parseCosignerKey } from './checkpoint/cosignature.js';

/** Witness verifier keys, separated by commas or white space; each must parse as a cosignature (0x04) key. */
const witnessKeys = z
  .string()
  .transform((text) => text.split(/[\s,]+/).filter((k) => k !== ''))
  .superRefine((keys, ctx) => {
    for (const key of keys) {
      try {
        parseCosignerKey(key);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `not a witness verifier key (<name>+<id>+<base64 of 0x04 and the key>): ${(err as Error).message}` });
      }
    }
    const names = keys.map((k) => k.split('+')[0]);
    if (new Set(names).size !== names.length) ctx.addIssue({ code: 'custom', message: 'two witness keys have the same name' });
  });

/**
 * The audit service's own settings. Kept as a separate shape so the all-in-one, whose config is
 * the base schema, can read them too (see {@link auditSettings}).
 */
export const auditConfigFields = {
  /** PKCS#8 PEM of the Ed25519 key that signs tree heads; default `<DATA_DIR>/keys/tree-head-signing.private.pem`. */
  AUDIT_SIGNING_KEY_FILE: z.string().min(1, 'expected a path to a PKCS#8 PEM Ed25519 private key').optional(),
  /** How often a tree head is sealed; 0 turns periodic sealing off. Default 300000 (5 min), 0 when GONGGUAN_ENV=test. */
  AUDIT_SEAL_INTERVAL_MS: z.coerce
    .number({ error: 'expected a non-negative integer number of milliseconds (0 = off)' })
    .int('expected a non-negative integer number of milliseconds (0 = off)')
    .min(0, 'expected a non-negative integer number of milliseconds (0 = off)')
    .optional(),
  /**
   * The C2SP checkpoint origin of this log, also the note key name its checkpoints are signed
   * with: a schema-less URL unique to the deployment (e.g. `kjj.taizhou.gov.cn/gongguan`).
   * Default `gongguan.local/audit`.
   */
  AUDIT_LOG_ORIGIN: z
    .string()
    .regex(/^[^\s+]+$/u, 'expected a checkpoint origin: no spaces and no "+" (a note key name), e.g. kjj.taizhou.gov.cn/gongguan')
    .optional(),
  /** Verifier keys of the witnesses whose cosignatures the log accepts (C2SP vkeys, type 0x04); default none. */
  AUDIT_WITNESS_KEYS: witnessKeys.optional(),
  /**
   * The most evidence bytes one bundle may carry with ?evidence=true (the sum of its distinct
   * files, before base64); a bundle that would carry more is refused with 413. Default 104857600 (100 MiB).
   */
  AUDIT_BUNDLE_EVIDENCE_MAX_BYTES: z.coerce
    .number({ error: 'expected a positive integer number of bytes' })
    .int('expected a positive integer number of bytes')
    .min(1, 'expected a positive integer number of bytes')
    .max(1_073_741_824, 'expected at most 1073741824 bytes (1 GiB)')
    .optional(),
};

/** Gongguan audit API settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3004, serviceName: 'audit-api' }).extend(auditConfigFields);
export type Config = z.output<typeof configSchema>;

export const DEFAULT_LOG_ORIGIN = 'gongguan.local/audit';

export interface AuditSettings {
  signingKeyFile: string | undefined;
  sealIntervalMs: number;
  origin: string;
  /** Witness verifier keys (vkey strings). */
  witnessKeys: string[];
  production: boolean;
  dataDir: string;
  /** AUDIT_BUNDLE_EVIDENCE_MAX_BYTES. */
  bundleEvidenceMaxBytes: number;
}

const settingsSchema = z.object(auditConfigFields);

/**
 * The audit settings from the parsed config; where the process's config schema does not know
 * them (the all-in-one uses the base schema), from the same variables in `env`.
 */
export function auditSettings(
  config: { GONGGUAN_ENV: string; DATA_DIR: string } & Partial<z.output<typeof settingsSchema>>,
  env: NodeJS.ProcessEnv = process.env,
): AuditSettings {
  const fromEnv = settingsSchema.parse({
    AUDIT_SIGNING_KEY_FILE: env.AUDIT_SIGNING_KEY_FILE || undefined,
    AUDIT_SEAL_INTERVAL_MS: env.AUDIT_SEAL_INTERVAL_MS || undefined,
    AUDIT_LOG_ORIGIN: env.AUDIT_LOG_ORIGIN || undefined,
    AUDIT_WITNESS_KEYS: env.AUDIT_WITNESS_KEYS || undefined,
    AUDIT_BUNDLE_EVIDENCE_MAX_BYTES: env.AUDIT_BUNDLE_EVIDENCE_MAX_BYTES || undefined,
  });
  const interval = config.AUDIT_SEAL_INTERVAL_MS ?? fromEnv.AUDIT_SEAL_INTERVAL_MS;
  return {
    signingKeyFile: config.AUDIT_SIGNING_KEY_FILE ?? fromEnv.AUDIT_SIGNING_KEY_FILE,
    sealIntervalMs: interval ?? (config.GONGGUAN_ENV === 'test' ? 0 : 300_000),
    origin: config.AUDIT_LOG_ORIGIN ?? fromEnv.AUDIT_LOG_ORIGIN ?? DEFAULT_LOG_ORIGIN,
    witnessKeys: config.AUDIT_WITNESS_KEYS ?? fromEnv.AUDIT_WITNESS_KEYS ?? [],
    production: config.GONGGUAN_ENV === 'production',
    dataDir: config.DATA_DIR,
    bundleEvidenceMaxBytes: config.AUDIT_BUNDLE_EVIDENCE_MAX_BYTES ?? fromEnv.AUDIT_BUNDLE_EVIDENCE_MAX_BYTES ?? 100 * 1024 * 1024,
  };
}
