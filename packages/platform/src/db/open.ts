import type { Logger } from 'pino';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Sql } from './types.js';

export interface StorageOptions {
  /** PostgreSQL connection string; unset means the embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  /** The embedded PGlite's shared_buffers (default 16MB). */
  pgliteSharedBuffers?: string;
  /** Initialised data directories to copy into a fresh one (see pglite-data-dir.ts); `pnpm start` names dist/pglite. */
  pgliteTemplateCache?: string;
  poolSize?: number;
  logger?: Logger;
  applicationName?: string;
}

/** The storage bootstrap every service uses: PostgreSQL when a URL is given, else embedded PGlite. */
export async function openStorage(options: StorageOptions): Promise<Sql> {
  if (options.databaseUrl) {
    options.logger?.info({ storage: 'postgres' }, 'using PostgreSQL');
    return openPostgres({
      url: options.databaseUrl,
      ...(options.poolSize === undefined ? {} : { poolSize: options.poolSize }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
      ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
    });
  }
  options.logger?.info({ storage: 'pglite', dataDir: options.dataDir }, 'using embedded PGlite');
  return openPglite(`${options.dataDir}/pglite`, {
    ...(options.pgliteSharedBuffers === undefined ? {} : { sharedBuffers: options.pgliteSharedBuffers }),
    ...(options.pgliteTemplateCache === undefined ? {} : { templateCache: options.pgliteTemplateCache }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
}
