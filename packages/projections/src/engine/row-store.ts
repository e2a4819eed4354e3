import type { TableDef } from '../table.js';
import type { RowCache } from './row-cache.js';

type Row = Record<string, unknown>;

/**
 * What a projection handler sees: the rows of its tables, read and written in memory while a
 * batch is applied. The engine loads the rows a batch needs in one query per table and writes
 * every changed row back in one statement per table, in the batch's transaction.
 */
export interface RowStore {
  /** The row with this key, or undefined when there is none. Rows read are frozen: change them by `put` or `update`. */
  get<R>(table: TableDef<R>, key: string): R | undefined;
  /** Creates or replaces a row (every column; missing members become NULL). */
  put<R>(table: TableDef<R>, row: R): void;
  /** Changes an existing row; a row that does not exist is an error that stops the projection. */
  update<R>(table: TableDef<R>, key: string, change: (row: R) => R): void;
  /** Adds a row to an append-only table. */
  insert<R>(table: TableDef<R>, row: R): void;
  /**
   * Moves a bureau subtree: in every table of the projection with a `scope` column, each row whose
   * path is `from` or lies under it (`from.…`) gets `to` in place of that prefix — rows written
   * earlier, rows of this batch, and what later reads of this batch see. A merge of a bureau.
   */
  repath(from: string, to: string): void;
}

/** Whether `path` is `scope` or lies under it. */
export function pathWithin(path: string, scope: string): boolean {
  return path === scope || path.startsWith(`${scope}.`);
}

/** `row` with its scope column moved from `from` to `to`, or the row itself when it is not under `from`. */
export function repathRow(row: Row, column: string, from: string, to: string): Row {
  const path = row[column];
  if (typeof path !== 'string' || !pathWithin(path, from)) return row;
  return Object.freeze({ ...row, [column]: to + path.slice(from.length) });
}

/** Thrown when a handler asks for a row that is not loaded yet: the engine loads it and runs the batch again. */
export class RowNotLoaded extends Error {
  constructor(
    readonly table: string,
    readonly key: string,
  ) {
    super(`row ${table}/${key} is not loaded`);
  }
}

/** Rows read from the database for one batch: `null` records that a row does not exist. */
export type LoadedRows = Map<string, Map<string, Row | null>>;

/**
 * One pass of a batch over the loaded rows. Reads fall through to the loaded rows, then to the
 * rebuild's row cache (rows earlier batches wrote); writes stay in `dirty` (per table, by key) and
 * `inserts` until the engine writes them, so a pass can be thrown away and run again after more
 * rows were loaded.
 */
export class WorkingSet implements RowStore {
  readonly dirty = new Map<string, Map<string, Row>>();
  readonly inserts = new Map<string, Row[]>();
  /** The subtrees this pass moved, in order: rows read from before the batch are moved as they are read; the engine moves the stored ones. */
  readonly repaths: Array<{ from: string; to: string }> = [];

  constructor(
    private readonly loaded: LoadedRows,
    private readonly cache?: RowCache,
    /** The scope column of each table that has one. */
    private readonly scopes: ReadonlyMap<string, string> = new Map(),
  ) {}

  get<R>(table: TableDef<R>, key: string): R | undefined {
    const changed = this.dirty.get(table.name)?.get(key);
    if (changed !== undefined) return changed as R;
    let row = this.loaded.get(table.name)?.get(key);
    if (row === undefined && this.cache !== undefined) row = this.cache.lookup(table.name, key);
    if (row === undefined) throw new RowNotLoaded(table.name, key);
    if (row === null) return undefined;
    const column = this.scopes.get(table.name);
    if (column !== undefined) for (const { from, to } of this.repaths) row = repathRow(row, column, from, to);
    return row as R;
  }

  repath(from: string, to: string): void {
    if (from === to) return;
    this.repaths.push({ from, to });
    for (const [name, rows] of this.dirty) {
      const column = this.scopes.get(name);
      if (column !== undefined) for (const [key, row] of rows) rows.set(key, repathRow(row, column, from, to));
    }
    for (const [name, rows] of this.inserts) {
      const column = this.scopes.get(name);
      if (column !== undefined) for (let i = 0; i < rows.length; i++) rows[i] = repathRow(rows[i] as Row, column, from, to);
    }
  }

  put<R>(table: TableDef<R>, row: R): void {
    const record = row as Row;
    const key = String(record[table.key]);
    let rows = this.dirty.get(table.name);
    if (rows === undefined) {
      rows = new Map();
      this.dirty.set(table.name, rows);
    }
    rows.set(key, record);
  }

  update<R>(table: TableDef<R>, key: string, change: (row: R) => R): void {
    const row = this.get(table, key);
    if (row === undefined) throw new Error(`${table.name} has no row ${key}`);
    this.put(table, change(row));
  }

  insert<R>(table: TableDef<R>, row: R): void {
    let rows = this.inserts.get(table.name);
    if (rows === undefined) {
      rows = [];
      this.inserts.set(table.name, rows);
    }
    rows.push(row as Row);
  }
}
