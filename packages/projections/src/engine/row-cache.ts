import type { AnyTable, ColumnType } from '../table.js';
import { repathRow } from './row-store.js';

type Row = Record<string, unknown>;

/** Session time zones in which PostgreSQL writes a timestamptz as `…+00:00` (row_to_json's ISO form). */
const UTC_ZONES = new Set(['utc', 'etc/utc', 'gmt', 'etc/gmt', 'uct', 'etc/uct', 'universal', 'etc/universal', 'zulu', 'etc/zulu', 'gmt0', 'etc/gmt0', 'greenwich', 'etc/greenwich']);

/** Returned by the canonical forms for a value this module does not know how PostgreSQL returns: the row is not cached. */
const UNKNOWN = Symbol('unknown');

interface Entry {
  table: string;
  key: string;
  row: Row;
  /** Not in the database yet: written when it leaves the cache, or by `flush`. */
  unwritten: boolean;
}

/**
 * The rows of a rebuild's new generation, kept across batches, so that a batch neither reads back
 * nor writes again and again the rows earlier batches changed. Only for a rebuild: nothing but the
 * rebuild writes (or reads) the new generation's tables until it is swapped in, and its tables
 * start empty, so a key the rebuild never wrote has no row.
 *
 * A row is kept only in the form `row_to_json` would give it back (columns in table order, missing
 * members as null, dates and timestamps in PostgreSQL's ISO text, jsonb with its keys in jsonb's
 * order), and frozen: handlers see exactly what a load from the database would give them. A value
 * whose PostgreSQL form is not certain (a number in a text column, a timestamp with an offset, a
 * time zone other than UTC, …) keeps its row out of the cache: that row is written at once and
 * loaded from the database when a later batch asks for it, as without the cache.
 *
 * Rows changed by a batch are written later (write-behind): when they leave the cache (at most
 * `maxRows` rows are kept, least recently changed out) or when the rebuild flushes the cache
 * before it builds the indexes and swaps. An evicted row is loaded again when needed.
 */
export class RowCache {
  /** Rows by table and key, least recently changed first (one map for all tables, for eviction). */
  private readonly rows = new Map<string, Entry>();
  /** Unwritten rows pushed out of the cache by this batch, by table and key: the batch writes them. */
  private evicted = new Map<string, Map<string, Row>>();
  /** Keys that have a row in the new generation (written or inserted by the rebuild), per table. */
  private readonly existing = new Map<string, Set<string>>();
  private utc = false;
  private zone: string | undefined;
  /** The scope column of each table that has one (see `repath`). */
  private readonly scopes = new Map<string, string>();
  hits = 0;
  misses = 0;

  constructor(
    tables: readonly AnyTable[],
    private readonly maxRows = 100_000,
  ) {
    for (const def of tables) if (def.scope !== undefined) this.scopes.set(def.name, def.scope);
    // Append-only tables are not tracked (their keys would be one per event): their rows are
    // written at once, and a handler's read of one always goes to the database.
    for (const def of tables) if (def.appendOnly !== true) this.existing.set(def.name, new Set());
  }

  /** The session's TimeZone, as `current_setting('TimeZone')` gives it: timestamps are only cached under UTC. */
  setTimeZone(zone: string): void {
    if (zone === this.zone) return;
    if (this.zone !== undefined) {
      // Rows cached under another zone would show their timestamps as that zone wrote them: write them, forget them.
      for (const entry of this.rows.values()) if (entry.unwritten) this.evict(entry);
      this.rows.clear();
    }
    this.zone = zone;
    this.utc = UTC_ZONES.has(zone.toLowerCase());
  }

  /**
   * What the new generation holds for `key`: the row, `null` when there is none, or `undefined`
   * when only the database knows (a row not cached, or a table not tracked).
   */
  lookup(table: string, key: string): Row | null | undefined {
    const keys = this.existing.get(table);
    if (keys === undefined) return undefined;
    const entry = this.rows.get(cacheKey(table, key));
    if (entry !== undefined) {
      this.hits++;
      return entry.row;
    }
    // Pushed out, but not written yet: the database does not have it.
    const evicted = this.evicted.get(table)?.get(key);
    if (evicted !== undefined) {
      this.hits++;
      return evicted;
    }
    if (!keys.has(key)) {
      this.hits++;
      return null;
    }
    this.misses++;
    return undefined;
  }

  /** A row as the database gave it (already row_to_json's form), or `null` for none. */
  loaded(def: AnyTable, key: string, row: Row | null): void {
    if (row !== null && this.existing.has(def.name)) this.keep(def.name, key, row, false);
  }

  /**
   * Rows a batch upserts (by key, as the handlers left them): keeps those it can, unwritten, and
   * returns those that must be written now (rows it cannot keep, and every row of a table it does
   * not track).
   */
  defer(def: AnyTable, rows: ReadonlyMap<string, Row>): ReadonlyMap<string, Row> {
    const keys = this.existing.get(def.name);
    if (keys === undefined) return rows;
    const now = new Map<string, Row>();
    for (const [key, row] of rows) {
      keys.add(key);
      const canonical = canonicalRow(def, row, this.utc);
      if (canonical !== undefined) this.keep(def.name, key, canonical, true);
      else {
        this.rows.delete(cacheKey(def.name, key));
        this.evicted.get(def.name)?.delete(key);
        now.set(key, row);
      }
    }
    return now;
  }

  /** The unwritten rows that left the cache since the last call, by table: the caller writes them. */
  takeEvicted(): Map<string, Map<string, Row>> {
    const evicted = this.evicted;
    this.evicted = new Map();
    return evicted;
  }

  /** Every unwritten row (of one table, or of all), by table; they count as written from now on. */
  flush(table?: string): Map<string, Row[]> {
    const out = new Map<string, Row[]>();
    for (const [name, rows] of this.evicted) {
      if (table !== undefined && name !== table) continue;
      out.set(name, [...rows.values()]);
      this.evicted.delete(name);
    }
    for (const entry of this.rows.values()) {
      if (!entry.unwritten || (table !== undefined && entry.table !== table)) continue;
      entry.unwritten = false;
      let rows = out.get(entry.table);
      if (rows === undefined) out.set(entry.table, (rows = []));
      rows.push(entry.row);
    }
    return out;
  }

  /** Rows inserted by a batch: they exist now; what they hold is left to the database. */
  inserted(def: AnyTable, rows: readonly Row[]): void {
    const keys = this.existing.get(def.name);
    if (keys === undefined) return;
    for (const row of rows) {
      const key = String(row[def.key]);
      keys.add(key);
      this.rows.delete(cacheKey(def.name, key));
    }
  }

  /** Moves a bureau subtree in every row kept (and every row pushed out but not written yet); see `RowStore.repath`. */
  repath(from: string, to: string): void {
    for (const entry of this.rows.values()) {
      const column = this.scopes.get(entry.table);
      if (column !== undefined) entry.row = repathRow(entry.row, column, from, to);
    }
    for (const [table, rows] of this.evicted) {
      const column = this.scopes.get(table);
      if (column !== undefined) for (const [key, row] of rows) rows.set(key, repathRow(row, column, from, to));
    }
  }

  /** Whether the cache tracks this table's rows. */
  tracks(table: string): boolean {
    return this.existing.has(table);
  }

  get size(): number {
    return this.rows.size;
  }

  private keep(table: string, key: string, row: Row, unwritten: boolean): void {
    const k = cacheKey(table, key);
    this.rows.delete(k);
    this.rows.set(k, { table, key, row, unwritten });
    this.evicted.get(table)?.delete(key);
    if (this.rows.size > this.maxRows) {
      const oldest = this.rows.values().next();
      if (oldest.done !== true) {
        this.rows.delete(cacheKey(oldest.value.table, oldest.value.key));
        if (oldest.value.unwritten) this.evict(oldest.value);
      }
    }
  }

  private evict(entry: Entry): void {
    let rows = this.evicted.get(entry.table);
    if (rows === undefined) this.evicted.set(entry.table, (rows = new Map()));
    rows.set(entry.key, entry.row);
  }
}

const cacheKey = (table: string, key: string): string => `${table}\u0000${key}`;

/**
 * `row` as `select row_to_json(t)` of the row the database stored from it would give it back after
 * JSON.parse, frozen; undefined when that is not certain for some value.
 */
export function canonicalRow(def: AnyTable, row: Row, utc: boolean): Row | undefined {
  const out: Row = {};
  for (const column in def.columns) {
    const value = canonicalValue(def.columns[column] as ColumnType, row[column], utc);
    if (value === UNKNOWN) return undefined;
    out[column] = value;
  }
  return Object.freeze(out);
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)$/;

function canonicalValue(type: ColumnType, value: unknown, utc: boolean): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'text':
      return typeof value === 'string' && plainString(value) ? value : UNKNOWN;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? value + 0 : UNKNOWN;
    case 'bigint':
      // Integers beyond 2^53 do come back (as the nearest double), but keep to the obvious.
      return typeof value === 'number' && Number.isSafeInteger(value) ? value + 0 : UNKNOWN;
    case 'boolean':
      return typeof value === 'boolean' ? value : UNKNOWN;
    case 'date': {
      if (typeof value !== 'string') return UNKNOWN;
      const m = DATE.exec(value);
      return m !== null && validDate(m[1], m[2], m[3]) ? value : UNKNOWN;
    }
    case 'timestamptz': {
      if (!utc || typeof value !== 'string') return UNKNOWN;
      const m = TIMESTAMP.exec(value);
      if (m === null || !validDate(m[1], m[2], m[3]) || Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return UNKNOWN;
      // PostgreSQL keeps microseconds and writes the fraction without trailing zeros, and no fraction when it is zero.
      const fraction = (m[7] ?? '').replace(/0+$/, '');
      return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${fraction === '' ? '' : `.${fraction}`}+00:00`;
    }
    case 'jsonb':
      return typeof value === 'object' ? canonicalJson(value) : UNKNOWN;
  }
}

function validDate(y: string | undefined, m: string | undefined, d: string | undefined): boolean {
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one (Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not).
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0);
  return day <= last.getUTCDate();
}

/**
 * A JSON value as jsonb stores it and row_to_json gives it back: object keys in jsonb's order
 * (shorter first, then by bytes), members that are undefined dropped, -0 as 0; frozen.
 */
function canonicalJson(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
      return plainString(value) ? value : UNKNOWN;
    case 'number':
      return Number.isFinite(value) ? value + 0 : UNKNOWN;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const items: unknown[] = [];
        for (const item of value) {
          const c = item === undefined ? UNKNOWN : canonicalJson(item);
          if (c === UNKNOWN) return UNKNOWN;
          items.push(c);
        }
        return Object.freeze(items);
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if ((proto !== Object.prototype && proto !== null) || 'toJSON' in value) return UNKNOWN;
      const entries: Array<[string, unknown]> = [];
      for (const key of Object.keys(value)) {
        const member: unknown = (value as Record<string, unknown>)[key];
        if (member === undefined) continue;
        const c = canonicalJson(member);
        if (c === UNKNOWN || !plainString(key)) return UNKNOWN;
        entries.push([key, c]);
      }
      entries.sort((a, b) => compareJsonbKeys(a[0], b[0]));
      // fromEntries defines own members, so a key such as "__proto__" stays a member, as JSON.parse makes it.
      return Object.freeze(Object.fromEntries(entries));
    }
    default:
      return UNKNOWN;
  }
}

/** A string PostgreSQL stores and gives back as it is: no lone surrogate (JSON would escape it), no NUL (text and jsonb refuse it). */
function plainString(value: string): boolean {
  return (value as string & { isWellFormed(): boolean }).isWellFormed() && !value.includes('\u0000');
}

function compareJsonbKeys(a: string, b: string): number {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length - bb.length || Buffer.compare(ba, bb);
}

/** Freezes a row parsed from row_to_json, and the jsonb values in it. */
export function freezeRow<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const member of Object.values(value)) freezeRow(member);
    Object.freeze(value);
  }
  return value;
}
