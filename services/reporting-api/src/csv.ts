/** UTF-8 byte order mark: spreadsheet programs then read Chinese text as UTF-8. */
export const BOM = '\uFEFF';

/**
 * A text cell a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`, `-…`,
 * or one of those behind a tab or carriage return). OWASP's guidance for CSV injection: prefix a
 * single quote and quote the cell. Numbers are written as numbers: a negative amount stays one.
 */
const FORMULA = /^[=+\-@\t\r]/;

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a BOM and CRLF line ends; text cells that start like a formula are neutralised. */
export function toCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.map(cell).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
