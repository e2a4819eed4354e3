import { baseConfigSchema } from '@gongguan/platform';
import { z } from 'zod';

const optionalUrl = z.string().url('expected an http(s):// URL').optional();

/** The console's own settings; the all-in-one extends its schema with them too. */
export const consoleConfigFields = {
  /**
   * `auto` (default): build the console's assets when they are missing or older than their
   * sources, in a child process, while the API already answers. `off`: serve what is built, never
   * build (production images build at image time: `pnpm --filter @gongguan/console build`).
   */
  CONSOLE_BUILD: z.enum(['auto', 'off'], { error: 'expected auto or off' }).default('auto'),
  /** Where the built assets are (default services/console/dist). */
  CONSOLE_DIST_DIR: z.string().min(1).optional(),
  /** The OpenID Connect issuer the console signs people in with (authorization code + PKCE). */
  OIDC_ISSUER: optionalUrl,
  /** The console's client id at that issuer (a public client: no secret). */
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  /** Scopes asked for (default "openid profile"). */
  OIDC_SCOPE: z.string().min(1).optional(),
  /** The resource indicator (RFC 8707) sent with the request, when the issuer needs one to mint a JWT access token for the API. */
  OIDC_RESOURCE: optionalUrl,
};

/** Gongguan console settings, from the environment. */
export const configSchema = baseConfigSchema({ port: 3005, serviceName: 'console' }).extend(consoleConfigFields);
export type Config = z.output<typeof configSchema>;
