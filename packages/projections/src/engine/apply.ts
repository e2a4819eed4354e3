import type { SqlExecutor } from '@gongguan/platform/db';
import { concern, dispatch, type Projection } from '../projection.js';
import { columnNames, type AnyTable } from '../table.js';
import { describeFailure, type EventFailure, type ParsedEnvelope } from './parse.js';
import { freezeRow, type RowCache } from './row-cache.js';
import { RowNotLoaded, WorkingSet, type LoadedRows } from './row-store.js';

type Row = Record<string, unknown>;

export interface ApplyResult {
  /** Events of the batch now accounted for (applied, or not of this projection's types). */
  consumed: number;
  /** Events whose handler ran. */
  applied: number;
  /** Position of the last consumed event; null when none was. */
  position: string | null;
  /** Set when an event stopped the projection: it and everything after it were not consumed. */
  failure?: EventFailure;
}

/** A statement to run in the batch's transaction. */
interface Statement {
  text: string;
  params: unknown[];
}

/** A batch applied in memory: what it did, and the statements that write it. */
export interface PlannedBatch {
  result: ApplyResult;
  /** Writes the batch's rows (in the caller's transaction). */
  write(tx: SqlExecutor): Promise<void>;
}

/**
 * Applies a batch of events to one projection's tables in `schema`, inside the caller's
 * transaction: loads the rows the handlers ask for (one query per table and round), runs the
 * handlers in memory, writes each changed row once. Events the projection does not concern itself
 * with are consumed without a handler (see `Projection`); an unknown or malformed event of one of
 * its streams, or a handler that throws, stops the batch just before that event.
 */
export async function applyProjection(tx: SqlExecutor, projection: Projection, schema: string, batch: readonly ParsedEnvelope[]): Promise<ApplyResult> {
  const planned = await planProjection(tx, projection, schema, batch);
  await planned.write(tx);
  return planned.result;
}

/**
 * `applyProjection` in two steps: runs the handlers (reading the rows they ask for through
 * `reader`) and prepares the statements that write the batch, which `write` runs later.
 *
 * `cache` (rebuilds only: nothing else reads or writes the tables in `schema` until the swap)
 * holds the rows earlier batches changed, so they are neither read back nor written again batch
 * after batch: it keeps this batch's changed rows and hands back the ones to write now (see
 * `RowCache`); `flushRowCache` writes the rest. With it, a rebuild runs the handlers of the next
 * batch while the database writes this one; `reader` must then see every batch written before.
 */
export async function planProjection(
  reader: SqlExecutor,
  projection: Projection,
  schema: string,
  batch: readonly ParsedEnvelope[],
  cache?: RowCache,
): Promise<PlannedBatch> {
  let end = batch.length;
  let failure: EventFailure | undefined;
  for (let i = 0; i < batch.length; i++) {
    const item = batch[i];
    if (item?.problem !== undefined && concern(projection, item.envelope, item.problem) === 'stop') {
      end = i;
      failure = describeFailure(item.envelope, item.problem.message, item.problem.unknownType ? 'unknown-type' : 'malformed');
      break;
    }
  }
  const tables = new Map(projection.tables.map((t) => [t.name, t]));
  const scopes = new Map(projection.tables.flatMap((t) => (t.scope === undefined ? [] : [[t.name, t.scope] as const])));
  const loaded: LoadedRows = new Map();
  for (;;) {
    const rows = new WorkingSet(loaded, cache, scopes);
    const misses = new Map<string, Set<string>>();
    let error: { index: number; err: unknown } | undefined;
    for (let i = 0; i < end; i++) {
      const item = batch[i];
      if (item?.event === undefined || concern(projection, item.envelope, undefined) !== 'apply') continue;
      try {
        dispatch(projection, rows, item.event, item.envelope);
      } catch (err) {
        if (err instanceof RowNotLoaded) {
          let keys = misses.get(err.table);
          if (keys === undefined) misses.set(err.table, (keys = new Set()));
          keys.add(err.key);
        } else if (error === undefined) error = { index: i, err };
      }
    }
    if (misses.size > 0) {
      // Rows were missing, so this pass ran on partial data: load them and run the batch again.
      for (const [name, keys] of misses) await loadRows(reader, schema, tables.get(name), keys, loaded, cache);
      continue;
    }
    if (error !== undefined) {
      const item = batch[error.index];
      if (item !== undefined) failure = describeFailure(item.envelope, error.err instanceof Error ? error.err.message : String(error.err), 'handler');
      end = error.index;
      continue;
    }
    const statements = writeStatements(schema, tables, rows, cache);
    let applied = 0;
    for (let i = 0; i < end; i++) {
      const item = batch[i];
      if (item?.event !== undefined && concern(projection, item.envelope, undefined) === 'apply') applied++;
    }
    return {
      result: {
        consumed: end,
        applied,
        position: end > 0 ? (batch[end - 1]?.envelope.position ?? null) : null,
        ...(failure === undefined ? {} : { failure }),
      },
      write: (tx) => run(tx, statements),
    };
  }
}

async function loadRows(
  tx: SqlExecutor,
  schema: string,
  def: AnyTable | undefined,
  keys: Set<string>,
  loaded: LoadedRows,
  cache: RowCache | undefined,
): Promise<void> {
  if (def === undefined) throw new Error('a handler read a table its projection does not declare');
  let rows = loaded.get(def.name);
  if (rows === undefined) loaded.set(def.name, (rows = new Map()));
  const wanted = [...keys];
  const { rows: found } = await tx.query<{ j: string }>(
    `select row_to_json(t)::text as j from ${schema}.${def.name} t where ${def.key} = any($1::text[])`,
    [wanted],
  );
  for (const key of wanted) rows.set(key, null);
  for (const { j } of found) {
    const row = freezeRow(JSON.parse(j) as Record<string, unknown>);
    const key = String(row[def.key]);
    rows.set(key, row);
    cache?.loaded(def, key, row);
  }
}

async function run(tx: SqlExecutor, statements: readonly Statement[]): Promise<void> {
  for (const { text, params } of statements) await tx.query(text, params);
}

/** The statements that write a batch's changed rows (and the rows the cache lets go of), in order. */
function writeStatements(schema: string, tables: Map<string, AnyTable>, rows: WorkingSet, cache: RowCache | undefined): Statement[] {
  const statements: Statement[] = [];
  // Subtrees moved by this batch (a bureau merged): the stored rows first, in order, and the rows
  // the cache holds; the batch's own rows were moved in memory as it ran.
  for (const { from, to } of rows.repaths) {
    for (const def of tables.values()) {
      if (def.scope === undefined) continue;
      const col = def.scope;
      statements.push({
        text: `update ${schema}.${def.name} set ${col} = $2 || substr(${col}, length($1) + 1)
                where ${col} operator(pg_catalog.~>=~) $1 and ${col} operator(pg_catalog.~<~) ($1 || '/')`,
        params: [from, to],
      });
    }
    cache?.repath(from, to);
  }
  const now = new Map<string, ReadonlyMap<string, Row>>();
  for (const [name, changed] of rows.dirty) {
    const def = tables.get(name);
    if (def === undefined) throw new Error(`a handler wrote table ${name}, which its projection does not declare`);
    now.set(name, cache === undefined ? changed : cache.defer(def, changed));
  }
  // Rows the cache let go of now, unwritten; a newer row of the same key from this batch wins.
  for (const [name, evicted] of cache?.takeEvicted() ?? []) now.set(name, new Map([...evicted, ...(now.get(name) ?? [])]));
  for (const [name, changed] of now) statements.push(...upserts(schema, tables.get(name), [...changed.values()]));
  for (const [name, inserted] of rows.inserts) {
    const def = tables.get(name);
    if (def === undefined) throw new Error(`a handler inserted into table ${name}, which its projection does not declare`);
    // An insert must meet the rows written before it (a key taken is an error), so the cache's unwritten rows of the table go first.
    if (cache?.tracks(name) === true) for (const [, pending] of cache.flush(name)) statements.push(...upserts(schema, def, pending));
    const source = rowSource(schema, def, inserted);
    statements.push({ text: `insert into ${schema}.${name} (${columnNames(def).join(', ')}) ${source.select}`, params: [source.param] });
    cache?.inserted(def, inserted);
  }
  return statements;
}

/** Statements that write rows (every column; upserted by key), at most `chunk` rows each. */
function upserts(schema: string, def: AnyTable | undefined, rows: readonly Row[], chunk = 10_000): Statement[] {
  if (def === undefined) throw new Error('rows of a table the projection does not declare');
  const cols = columnNames(def);
  const set = cols.filter((c) => c !== def.key).map((c) => `${c} = excluded.${c}`);
  const statements: Statement[] = [];
  for (let i = 0; i < rows.length; i += chunk) {
    const source = rowSource(schema, def, rows.length <= chunk ? rows : rows.slice(i, i + chunk));
    statements.push({
      text: `insert into ${schema}.${def.name} (${cols.join(', ')}) ${source.select}
       on conflict (${def.key}) do ${set.length > 0 ? `update set ${set.join(', ')}` : 'nothing'}`,
      params: [source.param],
    });
  }
  return statements;
}

/**
 * The rows as one JSON parameter and the `select` that turns it into the table's columns, in
 * column order. Rows travel as arrays (`[v1, v2, …]`, read with `jsonb_array_elements` and
 * `->>`): a third of the database's work of `json_populate_recordset` over objects, and less JSON
 * to write. Both read each column from the same JSON value with the column type's input function,
 * except that `json_populate_recordset` keeps a number's or an object's JSON text as it was sent
 * where `->>` writes jsonb's; so a batch with a value other than a string in a text, date or
 * timestamptz column goes as objects through `json_populate_recordset`, as it always did.
 */
export function rowSource(schema: string, def: AnyTable, rows: readonly Row[]): { select: string; param: string } {
  const cols = columnNames(def);
  const types = cols.map((c) => def.columns[c]);
  const arrays: unknown[][] = new Array<unknown[]>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i] as Row;
    const values = new Array<unknown>(cols.length);
    for (let j = 0; j < cols.length; j++) {
      const value = row[cols[j] as string];
      const type = types[j];
      if (value !== null && value !== undefined && type !== 'jsonb') {
        const kind = typeof value;
        const textual = type === 'text' || type === 'date' || type === 'timestamptz';
        if (textual ? kind !== 'string' : kind !== 'string' && kind !== 'number' && kind !== 'boolean') {
          return {
            select: `select ${cols.join(', ')} from json_populate_recordset(null::${schema}.${def.name}, $1::json)`,
            param: JSON.stringify(rows),
          };
        }
      }
      values[j] = value ?? null;
    }
    arrays[i] = values;
  }
  // A JSON null is SQL NULL in every column, as json_populate_recordset makes it (->> does so by itself; -> gives jsonb 'null').
  const columns = types.map((type, j) => (type === 'jsonb' ? `nullif(e->${j}, 'null'::jsonb)` : type === 'text' ? `e->>${j}` : `(e->>${j})::${type}`));
  return { select: `select ${columns.join(', ')} from jsonb_array_elements($1::jsonb) e`, param: JSON.stringify(arrays) };
}

/** Writes every row a rebuild's cache holds unwritten into `schema` (before indexing and swapping). */
export async function flushRowCache(tx: SqlExecutor, projection: Projection, schema: string, cache: RowCache): Promise<number> {
  const tables = new Map(projection.tables.map((t) => [t.name, t]));
  let written = 0;
  for (const [name, rows] of cache.flush()) {
    await run(tx, upserts(schema, tables.get(name), rows));
    written += rows.length;
  }
  return written;
}
