export type { QueryOptions, QueryResult, Sql, SqlExecutor } from './types.js';
export { openPglite } from './pglite.js';
export { openPostgres, type PostgresOptions } from './postgres.js';
export { openStorage, type StorageOptions } from './open.js';
export { loadMigrations, migrate, type Migration } from './migrate.js';
export { isStorageUnreachable } from './unreachable.js';
