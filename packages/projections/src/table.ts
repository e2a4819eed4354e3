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
  /**
   * The column holding the bureau path a row belongs to (`bureau_path`, or `path` for the bureaus
   * themselves): row-level security limits reporting roles to their subtree by it, and a merge of a
   * bureau re-paths it (`RowStore.repath`). Tables without it are internal: no reporting role reads them.
   */
  readonly scope?: keyof R & string;
}

/** Any table, whatever its row type: what the engine works with. */
export interface AnyTable {
  readonly name: string;
  readonly key: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
  readonly indexes?: readonly string[];
  readonly appendOnly?: boolean;
  readonly scope?: string;
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
  return [`create table ${schema}.${def.name} (${columns.join(', ')});`, ...scopeDdl(schema, def), ...(withIndexes ? [indexDdl(schema, def)] : [])].join('\n');
}

/** The group role every reporting role (and the reporting API's `gongguan_scoped`) reads through; see migrations/002. */
export const READER_ROLE = 'gongguan_bureau_reader';

/**
 * The row-level security of a table with a `scope` column: a reader sees a row when its path is
 * within the reader's scope (`reporting.scope_of`, evaluated once per query: the path of the
 * bureau `reporting.role_bureaus` maps `current_user` to, or for `gongguan_scoped` the session's
 * `gongguan.bureau_path`; none, no rows). `~>=~` / `~<~` compare bytes, so with the paths' digits
 * and dots `p ~>=~ s and p ~<~ s || '/'` is `p = s or p like s || '.%'`, and the index on
 * `(path text_pattern_ops)` serves it. Owners (the projector, the API's own connection) bypass it.
 */
export function scopeDdl(schema: string, def: AnyTable): string[] {
  if (def.scope === undefined) return [];
  const col = def.scope;
  const scope = `(select reporting.scope_of(current_user::text, current_setting('gongguan.bureau_path', true)))`;
  return [
    `alter table ${schema}.${def.name} enable row level security;`,
    `create policy bureau_scope on ${schema}.${def.name} for select using (${col} operator(pg_catalog.~>=~) ${scope} and ${col} operator(pg_catalog.~<~) (${scope} || '/'));`,
    `grant select on ${schema}.${def.name} to ${READER_ROLE};`,
  ];
}

/** The secondary indexes of a table: built after the rows when rebuilding, which is much faster than maintaining them row by row. */
export function indexDdl(schema: string, def: AnyTable): string {
  return (def.indexes ?? []).map((cols, i) => `create index if not exists ${def.name}_ix${i} on ${schema}.${def.name} (${cols});`).join('\n');
}

export function columnNames(def: AnyTable): string[] {
  return Object.keys(def.columns);
}
