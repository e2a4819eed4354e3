import { createRequire } from 'node:module';
import type * as CsvSync from 'csv-parse/sync';
import type ExcelJS from 'exceljs';
import { loadExcel } from './excel.js';

/** One table of a file: a CSV, or one worksheet of a workbook, with its header row. */
export interface Table {
  /** The worksheet's name; "" for a CSV. */
  sheet: string;
  /** The header row as written (trimmed). */
  headers: string[];
  /** The line (CSV) or row number (worksheet) of the header. */
  headerLine: number;
  rows: TableRow[];
}

export interface TableRow {
  /** Where the row starts: its line in the CSV (1-based, a quoted field may span lines), its row number in the worksheet. */
  line: number;
  /** The cells in header order, as text ("" when empty). */
  cells: string[];
}

export type FileFormat = 'csv' | 'xlsx';

export class TableError extends Error {}

/** The format a file is in: a ZIP (PK\x03\x04) is a workbook, anything else CSV. */
export function sniffFormat(bytes: Uint8Array): FileFormat {
  return bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04 ? 'xlsx' : 'csv';
}

/**
 * CSV text from bytes: UTF-8 (with or without BOM), else GB18030 (a superset of GBK, what Excel on a
 * Chinese Windows writes by default when it saves "CSV").
 */
export function decodeCsv(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

let csvLoaded: typeof CsvSync | undefined;
/** csv-parse, loaded with the first CSV file (as exceljs with the first workbook), not at every start. */
function csv(): typeof CsvSync {
  csvLoaded ??= createRequire(import.meta.url)('csv-parse/sync') as typeof CsvSync;
  return csvLoaded;
}

/** RFC 4180 CSV (quoted fields may hold commas, quotes and line breaks); blank lines are skipped. */
export function readCsv(bytes: Uint8Array): Table[] {
  const text = decodeCsv(bytes);
  let records: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    records = csv().parse(text, { bom: true, info: true, raw: true, relax_column_count: true, skip_empty_lines: true, trim: false }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new TableError(`CSV 格式错误${line ? `（第 ${line} 行）` : ''} (malformed CSV: ${(err as Error).message})`);
  }
  const rows = records.map(({ record, info, raw }) => {
    const inner = raw.replace(/^[\r\n]+|[\r\n]+$/g, '');
    const breaks = inner.match(/\n/g)?.length ?? 0;
    return { line: info.lines - breaks, cells: record.map((c) => c.trim()) };
  });
  const header = rows.shift();
  if (!header) return [];
  return [{ sheet: '', headers: header.cells, headerLine: header.line, rows: rows.filter((r) => r.cells.some((c) => c !== '')) }];
}

/** Every worksheet with a header row; a cell's text as the clerk sees it (dates as YYYY-MM-DD, numbers in full). */
export async function readXlsx(bytes: Uint8Array): Promise<Table[]> {
  const workbook = new (await loadExcel()).Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  } catch (err) {
    throw new TableError(`无法读取 Excel 文件 (cannot read the .xlsx workbook: ${(err as Error).message})`);
  }
  const tables: Table[] = [];
  workbook.eachSheet((sheet) => {
    let table: Table | undefined;
    sheet.eachRow({ includeEmpty: false }, (row, number) => {
      const values: string[] = [];
      const width = table ? table.headers.length : row.cellCount;
      for (let col = 1; col <= Math.max(width, row.cellCount); col++) values.push(cellText(row.getCell(col).value));
      if (!table) {
        if (values.every((v) => v === '')) return;
        table = { sheet: sheet.name.trim(), headers: values, headerLine: number, rows: [] };
        return;
      }
      if (values.some((v) => v !== '')) table.rows.push({ line: number, cells: values });
    });
    if (table) tables.push(table);
  });
  return tables;
}

/** The text of a cell value as exceljs gives it. */
export function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  // Excel keeps 15 significant digits; past them a number is binary noise (0.1 + 0.2).
  if (typeof value === 'number') return String(Number(value.toPrecision(15)));
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    // exceljs gives a date cell as that calendar day at 00:00 UTC.
    return value.toISOString().slice(0, 10);
  }
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('').trim();
    if ('result' in value) return cellText((value as { result?: ExcelJS.CellValue }).result ?? null);
    if ('text' in value) return cellText((value as { text: ExcelJS.CellValue }).text);
    if ('error' in value) return '';
  }
  return String(value as unknown).trim();
}

export async function readTables(bytes: Uint8Array, format: FileFormat = sniffFormat(bytes)): Promise<Table[]> {
  return format === 'xlsx' ? readXlsx(bytes) : readCsv(bytes);
}
