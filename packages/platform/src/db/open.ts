import type { Logger } from 'pino';
import { openPglite } from './pglite.js';
import { openPostgres } from './postgres.js';
import type { Sql } from './types.js';

export interface StorageOptions {
  /** PostgreSQL connection string; unset means the embedded PGlite in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
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
  return openPglite(`${options.dataDir}/pglite`);
}
