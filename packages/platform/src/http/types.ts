import type { Principal, Role } from '../auth/roles.js';
import type { RouteEntry } from './routes-table.js';

/**
 * One component's readiness. `code` (see `readinessCodes`) is what the public `/readyz` shows of a
 * failing check; `detail` (may name events, streams, errors) goes only to the logs and admins.
 */
export interface ReadinessResult {
  ok: boolean;
  code?: string;
  detail?: string;
}

export type ReadinessCheck = () => Promise<ReadinessResult>;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed to call the route; every non-public route must declare them. */
    roles?: readonly Role[];
    /** A route anyone may call without a token (health, metrics, docs). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
  }
  interface FastifyInstance {
    /** Every registered route with the roles it allows (for 405 answers and the authorisation matrix). */
    routesTable: RouteEntry[];
    /** Adds a named check to `/readyz`. */
    addReadinessCheck(name: string, check: ReadinessCheck): void;
  }
}
