import type { SqlExecutor } from '@gongguan/platform/db';
import { dispatch, handles, type Projection } from '../projection.js';
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

/**
 * Applies a batch of events to one projection's tables in `schema`, inside the caller's
 * transaction: loads the rows the handlers ask for (one query per table and round), runs the
 * handlers in memory, writes each changed row once. An unknown or malformed event of a type the
 * projection handles, or a handler that throws, stops the batch just before that event.
 *
 * `cache` (rebuilds only: nothing else reads or writes the tables in `schema` until the swap)
 * holds the rows earlier batches changed, so they are neither read back nor written again batch
 * after batch: it keeps this batch's changed rows and hands back the ones to write now (see
 * `RowCache`); `flushRowCache` writes the rest.
 */
export async function applyProjection(
  tx: SqlExecutor,
  projection: Projection,
  schema: string,
  batch: readonly ParsedEnvelope[],
  cache?: RowCache,
): Promise<ApplyResult> {
  let end = batch.length;
  let failure: EventFailure | undefined;
  for (let i = 0; i < batch.length; i++) {
    const item = batch[i];
    if (item?.problem !== undefined && (item.problem.unknownType || handles(projection, item.envelope.type))) {
      end = i;
      failure = describeFailure(item.envelope, item.problem.message);
      break;
    }
  }
  const tables = new Map(projection.tables.map((t) => [t.name, t]));
  const loaded: LoadedRows = new Map();
  for (;;) {
    const rows = new WorkingSet(loaded, cache);
    const misses = new Map<string, Set<string>>();
    let error: { index: number; err: unknown } | undefined;
    for (let i = 0; i < end; i++) {
      const item = batch[i];
      if (item?.event === undefined || !handles(projection, item.event.type)) continue;
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
      for (const [name, keys] of misses) await loadRows(tx, schema, tables.get(name), keys, loaded, cache);
      continue;
    }
    if (error !== undefined) {
      const item = batch[error.index];
      if (item !== undefined) failure = describeFailure(item.envelope, error.err instanceof Error ? error.err.message : String(error.err));
      end = error.index;
      continue;
    }
    await writeRows(tx, schema, tables, rows, cache);
    let applied = 0;
    for (let i = 0; i < end; i++) if (batch[i]?.event !== undefined && handles(projection, batch[i]?.envelope.type ?? '')) applied++;
    return {
      consumed: end,
      applied,
      position: end > 0 ? (batch[end - 1]?.envelope.position ?? null) : null,
      ...(failure === undefined ? {} : { failure }),
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

async function writeRows(tx: SqlExecutor, schema: string, tables: Map<string, AnyTable>, rows: WorkingSet, cache: RowCache | undefined): Promise<void> {
  const now = new Map<string, ReadonlyMap<string, Row>>();
  for (const [name, changed] of rows.dirty) {
    const def = tables.get(name);
    if (def === undefined) throw new Error(`a handler wrote table ${name}, which its projection does not declare`);
    now.set(name, cache === undefined ? changed : cache.defer(def, changed));
  }
  // Rows the cache let go of now, unwritten; a newer row of the same key from this batch wins.
  for (const [name, evicted] of cache?.takeEvicted() ?? []) now.set(name, new Map([...evicted, ...(now.get(name) ?? [])]));
  for (const [name, changed] of now) await upsertRows(tx, schema, tables.get(name), [...changed.values()]);
  for (const [name, inserted] of rows.inserts) {
    const def = tables.get(name);
    if (def === undefined) throw new Error(`a handler inserted into table ${name}, which its projection does not declare`);
    // An insert must meet the rows written before it (a key taken is an error), so the cache's unwritten rows of the table go first.
    if (cache?.tracks(name) === true) for (const [, pending] of cache.flush(name)) await upsertRows(tx, schema, def, pending);
    await tx.query(`insert into ${schema}.${name} select * from json_populate_recordset(null::${schema}.${name}, $1::json)`, [
      JSON.stringify(inserted),
    ]);
    cache?.inserted(def, inserted);
  }
}

/** Writes rows (every column; upserted by key), in statements of at most `chunk` rows. */
async function upsertRows(tx: SqlExecutor, schema: string, def: AnyTable | undefined, rows: readonly Row[], chunk = 10_000): Promise<void> {
  if (def === undefined) throw new Error('rows of a table the projection does not declare');
  const cols = columnNames(def);
  const set = cols.filter((c) => c !== def.key).map((c) => `${c} = excluded.${c}`);
  for (let i = 0; i < rows.length; i += chunk) {
    await tx.query(
      `insert into ${schema}.${def.name} (${cols.join(', ')})
       select ${cols.join(', ')} from json_populate_recordset(null::${schema}.${def.name}, $1::json)
       on conflict (${def.key}) do ${set.length > 0 ? `update set ${set.join(', ')}` : 'nothing'}`,
      [JSON.stringify(rows.length <= chunk ? rows : rows.slice(i, i + chunk))],
    );
  }
}

/** Writes every row a rebuild's cache holds unwritten into `schema` (before indexing and swapping). */
export async function flushRowCache(tx: SqlExecutor, projection: Projection, schema: string, cache: RowCache): Promise<number> {
  const tables = new Map(projection.tables.map((t) => [t.name, t]));
  let written = 0;
  for (const [name, rows] of cache.flush()) {
    await upsertRows(tx, schema, tables.get(name), rows);
    written += rows.length;
  }
  return written;
}
