import { PGlite } from '@electric-sql/pglite';
import type { Logger } from 'pino';
import { prepareDataDir } from './pglite-data-dir.js';
import type { QueryResult, Sql, SqlExecutor } from './types.js';

export interface PgliteOptions {
  /**
   * `shared_buffers` of the embedded PostgreSQL. PostgreSQL's default, 128MB, is resident from the
   * first query (PGlite's shared memory is WebAssembly memory the process touches at start-up);
   * the kernel's page cache still holds the data files beside it, and a page missing from the
   * buffers is one read from it (PGlite's files are plain files). The default is 16MB: PGlite
   * zeroes its shared memory at every open in WebAssembly's baseline code, about 3.5 ms per MB on
   * the machine of BENCHMARKS.md (open 515 → 460 ms from 32MB), and the embedded commands/s of
   * `pnpm bench:http` were the same at 16MB and 32MB.
   */
  sharedBuffers?: string;
  /** Where initialised data directories are kept to be copied into fresh ones (see pglite-data-dir.ts). */
  templateCache?: string;
  logger?: Logger;
}

export const DEFAULT_PGLITE_SHARED_BUFFERS = '16MB';

interface PgliteLike {
  query<R>(text: string, params?: unknown[]): Promise<{ rows: R[]; affectedRows?: number }>;
  exec(text: string): Promise<unknown>;
}

function executor(db: PgliteLike): SqlExecutor {
  return {
    async query<R>(text: string, params: readonly unknown[] = []): Promise<QueryResult<R>> {
      const res = await db.query<R>(text, [...params]);
      return { rows: res.rows, rowCount: res.affectedRows ?? res.rows.length };
    },
    async exec(text: string): Promise<void> {
      await db.exec(text);
    },
  };
}

/**
 * Embedded PostgreSQL (PGlite) in `dataDir`, or in memory when `dataDir` is undefined.
 * PGlite never calls fsync: data survives a process crash, not a power cut.
 *
 * A fresh `dataDir` is never initialised in this process: initdb grows PGlite's WebAssembly memory
 * to about 800 MB, which a process keeps for good. It is copied from a template (`templateCache`)
 * or made by initdb in a child process, then opened here.
 */
export async function openPglite(dataDir: string | undefined, options: PgliteOptions = {}): Promise<Sql> {
  const startParams = [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers ?? DEFAULT_PGLITE_SHARED_BUFFERS}`];
  if (dataDir !== undefined) {
    await prepareDataDir(dataDir, {
      ...(options.templateCache === undefined ? {} : { templateCache: options.templateCache }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    });
  }
  const db = dataDir === undefined ? await PGlite.create({ startParams }) : await PGlite.create(dataDir, { startParams });
  const base = executor(db);
  let closed = false;
  return {
    kind: 'pglite',
    ...base,
    transaction: <T>(fn: (tx: SqlExecutor) => Promise<T>) => db.transaction((tx) => fn(executor(tx))),
    async listen(channel, onNotify) {
      const unsubscribe = await db.listen(channel, onNotify);
      return async () => {
        if (!closed) await unsubscribe();
      };
    },
    async ping() {
      if (closed) return false;
      try {
        await db.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
    },
  };
}
