import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type pgModule from 'pg';
import type { Logger } from 'pino';
import type { QueryOptions, QueryResult, Sql, SqlExecutor } from './types.js';

export interface PostgresOptions {
  url: string;
  poolSize?: number;
  logger?: Logger;
  /** Application name shown in pg_stat_activity. */
  applicationName?: string;
}

/** Statement names by SQL text: the same text gets the same name on every connection. */
const statementNames = new Map<string, string>();

function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `gg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

function executor(client: pgModule.Pool | pgModule.PoolClient): SqlExecutor {
  return {
    async query<R>(text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<QueryResult<R>> {
      const res = options?.prepare
        ? await client.query({ name: statementName(text), text, values: [...params] })
        : await client.query(text, [...params]);
      return { rows: res.rows as R[], rowCount: res.rowCount ?? res.rows.length };
    },
    async exec(text: string): Promise<void> {
      await client.query(text);
    },
  };
}

/** PostgreSQL through a `pg` Pool; LISTEN runs on one dedicated connection that reconnects. */
/**
 * `pg`, loaded when PostgreSQL is first opened: the embedded default never opens it, and loading
 * it is ~65 ms of every start (a CPU profile of `pnpm start`). It is CommonJS, so it loads synchronously.
 */
let pgLoaded: typeof pgModule | undefined;
function loadPg(): typeof pgModule {
  pgLoaded ??= createRequire(import.meta.url)('pg') as typeof pgModule;
  return pgLoaded;
}

export function openPostgres(options: PostgresOptions): Sql {
  const pg = loadPg();
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'gongguan',
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its connection emits here; without a listener it would crash the process.
  // (Only the message and code: pg-pool hangs the whole client, connection parameters and all, on the error.)
  pool.on('error', (err) => options.logger?.warn({ error: err.message, code: (err as { code?: string }).code }, 'idle PostgreSQL connection failed'));
  const base = executor(pool);
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let listenClient: pgModule.Client | undefined;
  let connecting: Promise<pgModule.Client> | undefined;
  let closed = false;

  async function connectListener(): Promise<pgModule.Client> {
    if (listenClient) return listenClient;
    connecting ??= (async () => {
      const client = new pg.Client({ connectionString: options.url, application_name: 'gongguan-listen' });
      client.on('notification', (msg) => {
        for (const cb of listeners.get(msg.channel) ?? []) cb(msg.payload ?? '');
      });
      client.on('error', (err) => {
        options.logger?.warn({ err }, 'LISTEN connection lost; reconnecting');
        listenClient = undefined;
        connecting = undefined;
        void client.end().catch(() => undefined);
        if (!closed) void reconnect();
      });
      await client.connect();
      for (const channel of listeners.keys()) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      listenClient = client;
      return client;
    })();
    try {
      return await connecting;
    } finally {
      connecting = undefined;
    }
  }

  async function reconnect(): Promise<void> {
    for (let attempt = 0; !closed; attempt++) {
      try {
        await connectListener();
        // Wake every listener: notifications sent while disconnected were lost, so readers must re-poll.
        for (const set of listeners.values()) for (const cb of set) cb('');
        return;
      } catch {
        await new Promise((r) => setTimeout(r, Math.min(5_000, 100 * 2 ** attempt)));
      }
    }
  }

  return {
    kind: 'postgres',
    ...base,
    async transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out client has no listener of the pool's: a connection that dies under it (the
      // server crashed or restarted) would emit an unhandled 'error' and take the process down.
      let broken: Error | undefined;
      const onError = (err: Error): void => {
        broken = err;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await fn(executor(client));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        await client.query('ROLLBACK').catch((rollbackErr: unknown) => {
          broken ??= rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        });
        throw err;
      } finally {
        client.removeListener('error', onError);
        // A broken connection is closed, not handed to the next caller.
        client.release(broken);
      }
    },
    async listen(channel, onNotify) {
      let set = listeners.get(channel);
      const isNew = set === undefined;
      if (!set) {
        set = new Set();
        listeners.set(channel, set);
      }
      set.add(onNotify);
      const client = await connectListener();
      if (isNew) await client.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      return async () => {
        set.delete(onNotify);
        if (set.size === 0) {
          listeners.delete(channel);
          await listenClient?.query(`UNLISTEN ${pg.escapeIdentifier(channel)}`).catch(() => undefined);
        }
      };
    },
    async ping(timeoutMs = 2_000) {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          pool.query('select 1').then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        ]);
      } catch {
        return false;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await listenClient?.end().catch(() => undefined);
      await pool.end();
    },
  };
}
