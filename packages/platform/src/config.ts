import { z } from 'zod';

/** Start-up stops with this when the environment is wrong; the message names every bad variable. */
export class ConfigError extends Error {
  readonly problems: Array<{ variable: string; message: string }>;
  constructor(problems: Array<{ variable: string; message: string }>) {
    super(
      `invalid configuration:\n${problems.map((p) => `  ${p.variable}: ${p.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const port = (fallback: number) =>
  z.coerce
    .number({ error: 'expected a TCP port number (1-65535, or 0 for any free port)' })
    .int('expected a TCP port number (1-65535, or 0 for any free port)')
    .min(0, 'expected a TCP port number (1-65535, or 0 for any free port)')
    .max(65535, 'expected a TCP port number (1-65535, or 0 for any free port)')
    .default(fallback);

const positiveInt = (fallback: number, what: string) =>
  z.coerce
    .number({ error: `expected ${what}` })
    .int(`expected ${what}`)
    .positive(`expected ${what}`)
    .default(fallback);

const optionalUrl = (protocols: string[], what: string) =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))
    .refine(
      (v) => {
        if (v === undefined) return true;
        try {
          return protocols.includes(new URL(v).protocol);
        } catch {
          return false;
        }
      },
      { message: `expected ${what}` },
    );

/**
 * The settings' schemas but the two whose default differs per service, made once per process: each
 * service's config module calls baseConfigSchema at import, and a zod schema costs ~30 µs to build
 * (the all-in-one built ~1,000 of them here at every start). Zod schemas are immutable, so sharing is safe.
 */
let sharedFields: ReturnType<typeof makeSharedFields> | undefined;
function makeSharedFields() {
  return {
    head: {
      GONGGUAN_ENV: z
        .enum(['development', 'production', 'test'], {
          error: 'expected one of development, production, test',
        })
        .default('development'),
      HOST: z.string().min(1, 'expected a host name or address').default('127.0.0.1'),
    },
    tail: {
      LOG_LEVEL: z
        .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
          error: 'expected one of fatal, error, warn, info, debug, trace, silent',
        })
        .default('info'),
      DATABASE_URL: optionalUrl(['postgres:', 'postgresql:'], 'a postgres:// connection string, or unset for the embedded PGlite'),
      DATABASE_POOL_SIZE: positiveInt(10, 'a positive integer number of connections'),
      DATA_DIR: z.string().min(1, 'expected a directory path').default('./.data'),
      PGLITE_SHARED_BUFFERS: z
        .string()
        .trim()
        .regex(/^[1-9][0-9]*(kB|MB|GB)$/, 'expected a PostgreSQL memory size such as 16MB (kB, MB or GB)')
        .default('16MB'),
      PGLITE_TEMPLATE_CACHE: z.string().trim().min(1, 'expected a directory path').optional(),
      BODY_LIMIT_BYTES: positiveInt(1_048_576, 'a positive integer number of bytes'),
      JWKS_FILE: z.string().min(1, 'expected a path to a JWKS JSON file').optional(),
      JWKS_URL: optionalUrl(['https:', 'http:'], 'an http(s):// URL of a JWKS document'),
      JWT_ISSUER: z.string().min(1).optional(),
      JWT_AUDIENCE: z.string().min(1).optional(),
      JWT_MAX_LIFETIME_SECONDS: positiveInt(86_400, 'a positive integer number of seconds (the longest exp − iat accepted)'),
      JWT_CLOCK_TOLERANCE_SECONDS: z.coerce
        .number({ error: 'expected a whole number of seconds (0 or more)' })
        .int('expected a whole number of seconds (0 or more)')
        .min(0, 'expected a whole number of seconds (0 or more)')
        .max(600, 'expected at most 600 seconds (clocks further apart need fixing, not tolerating)')
        .default(60),
      TOKEN_DEFAULT_BUREAU: z
        .string()
        .regex(/^[1-9][0-9]{5}$/, 'expected a GB/T 2260 administrative division code of six digits (e.g. 331000)')
        .optional(),
      REQUEST_TIMEOUT_MS: positiveInt(30_000, 'a positive integer number of milliseconds'),
      TRUST_PROXY: z
        .string()
        .trim()
        .optional()
        .transform((v) => (v === '' ? undefined : v))
        .refine((v) => v === undefined || v.split(',').every((p) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(p.trim())), {
          message: 'expected the addresses or CIDRs of trusted proxies, comma-separated (e.g. 172.30.240.0/24)',
        }),
      RATE_LIMIT_COMMANDS_PER_MINUTE: z.coerce.number({ error: 'expected a whole number of commands per minute (0 = no limit)' }).int('expected a whole number (0 = no limit)').min(0, 'expected a whole number (0 = no limit)').default(3000),
      RATE_LIMIT_READS_PER_MINUTE: z.coerce.number({ error: 'expected a whole number of reads per minute (0 = no limit)' }).int('expected a whole number (0 = no limit)').min(0, 'expected a whole number (0 = no limit)').default(12000),
      SHUTDOWN_GRACE_MS: positiveInt(10_000, 'a positive integer number of milliseconds'),
      EVENT_STORE_GROUP_COMMIT_MAX_IN_FLIGHT: positiveInt(1, 'a positive integer number of batches'),
      EVENT_STORE_GROUP_COMMIT_STALL_MS: positiveInt(25, 'a positive integer number of milliseconds'),
      HEAP_GROWING_PERCENT: z.coerce.number({ error: 'expected a whole number percent (0 = V8 chooses)' }).int('expected a whole number percent (0 = V8 chooses)').min(0, 'expected a whole number percent (0 = V8 chooses)').max(1000, 'expected at most 1000 (a limit at 11 × the live heap)').default(300),
    },
  };
}

/** Settings every service shares. Services extend this with their own (see each `src/config.ts`). */
export function baseConfigSchema(defaults: { port: number; serviceName: string }) {
  sharedFields ??= makeSharedFields();
  return z.object({
    ...sharedFields.head,
    PORT: port(defaults.port),
    ...sharedFields.tail,
    SERVICE_NAME: z.string().default(defaults.serviceName),
  });
}

export type BaseConfig = z.infer<ReturnType<typeof baseConfigSchema>>;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whoever can answer a plain-http JWKS fetch can mint tokens, so keys come over https; plain http
 * is allowed only outside production and only from this machine (a local identity provider).
 */
function jwksUrlProblem(url: string, env: string | undefined): string | undefined {
  const u = new URL(url);
  if (u.protocol === 'https:') return undefined;
  if (env === 'production') return `expected an https:// URL in production (got ${JSON.stringify(url)}): keys fetched over plain http can be replaced in transit`;
  if (!LOOPBACK_HOSTS.has(u.hostname)) return `expected an https:// URL; plain http is allowed only for a loopback host outside production (got ${JSON.stringify(url)})`;
  return undefined;
}

/**
 * Parses the environment with one zod schema. Every problem is collected, so an operator fixes
 * them all in one go instead of one per restart.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    const data = result.data as { GONGGUAN_ENV?: string; JWKS_FILE?: string; JWKS_URL?: string };
    // A production deployment must bring its own public keys: generating a key pair is for the embedded default only.
    if (data.GONGGUAN_ENV === 'production' && !data.JWKS_FILE && !data.JWKS_URL) {
      throw new ConfigError([
        { variable: 'JWKS_FILE / JWKS_URL', message: 'expected one of them in production (keys are never generated there)' },
      ]);
    }
    const jwksProblem = data.JWKS_URL === undefined ? undefined : jwksUrlProblem(data.JWKS_URL, data.GONGGUAN_ENV);
    if (jwksProblem) throw new ConfigError([{ variable: 'JWKS_URL', message: jwksProblem }]);
    return result.data;
  }
  const problems = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)';
    const raw = issue.path.length === 1 ? env[String(issue.path[0])] : undefined;
    const got = raw === undefined ? ' (it is missing)' : ` (got ${JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw)})`;
    return { variable, message: `${issue.message}${got}` };
  });
  throw new ConfigError(problems);
}
