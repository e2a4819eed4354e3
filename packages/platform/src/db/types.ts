/** A row set as both drivers return it. */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface QueryOptions {
  /**
   * PostgreSQL: run as a named prepared statement, parsed and planned once per connection
   * (about a quarter less server CPU for the event store's append). Only for constant SQL texts
   * on objects that are never dropped and recreated while the pool lives. PGlite: no effect.
   */
  prepare?: boolean;
}

/** What every store and projection needs from SQL: the same calls on PostgreSQL and on PGlite. */
export interface SqlExecutor {
  /**
   * One parameterised statement. Type parsing differs between drivers for int8/numeric
   * (pg: string, PGlite: bigint/number), so cast in SQL (`::int`, `::text`) where it matters.
   */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<QueryResult<R>>;
  /** Several statements without parameters (migrations). */
  exec(text: string): Promise<void>;
}

export interface Sql extends SqlExecutor {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs `fn` in one transaction on one connection; commits when it resolves, rolls back when
   * it throws. On PGlite transactions are serialised (one connection).
   */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Calls `onNotify` for every NOTIFY on `channel`. On PostgreSQL this uses a dedicated
   * connection that reconnects; on PGlite, the in-process notification.
   * Resolves to an unsubscribe function.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** True when a trivial query answers within the timeout. */
  ping(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}
