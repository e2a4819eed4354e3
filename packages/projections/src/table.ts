/** SQL column types a read-model table may use; values travel as JSON (row_to_json / jsonb_populate_recordset). */
export type ColumnType = 'text' | 'bigint' | 'integer' | 'date' | 'timestamptz' | 'boolean' | 'jsonb';

/**
 * One read-model table. Rows are plain objects whose members are the columns (snake_case); the
 * key column identifies a row. Every generation of a projection creates its tables from these
 * definitions, so a rebuild writes exactly the shape the live tables have.
 */
export interface TableDef<R> {
  readonly name: string;
  readonly key: keyof R & string;
  readonly columns: { readonly [K in keyof R & string]: ColumnType };
  /** Extra indexes, each a column list such as `'project_id, due_on'`. */
  readonly indexes?: readonly string[];
  /** Rows are only ever inserted (a feed): no load, no update. */
  readonly appendOnly?: boolean;
}

/** Any table, whatever its row type: what the engine works with. */
export interface AnyTable {
  readonly name: string;
  readonly key: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly indexes?: readonly string[];
  readonly appendOnly?: boolean;
}

/** Declares a table, checking the column map against the row type. */
export function table<R>(def: TableDef<R>): TableDef<R> {
  return def;
}

/** `create table` and (unless a rebuild adds them at the end) its indexes for `def` inside `schema`. */
export function tableDdl(schema: string, def: AnyTable, withIndexes = true): string {
  const columns = Object.entries(def.columns).map(([name, type]) =>
    name === def.key ? `${name} ${type === 'text' ? 'text collate "C"' : type} primary key` : `${name} ${type}`,
  );
  return [`create table ${schema}.${def.name} (${columns.join(', ')});`, ...(withIndexes ? [indexDdl(schema, def)] : [])].join('\n');
}

/** The secondary indexes of a table: built after the rows when rebuilding, which is much faster than maintaining them row by row. */
export function indexDdl(schema: string, def: AnyTable): string {
  return (def.indexes ?? []).map((cols, i) => `create index if not exists ${def.name}_ix${i} on ${schema}.${def.name} (${cols});`).join('\n');
}

export function columnNames(def: AnyTable): string[] {
  return Object.keys(def.columns);
}
