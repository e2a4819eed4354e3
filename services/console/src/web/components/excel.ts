/**
 * Excel (.xlsx) made in the browser from what a report shows, with write-excel-file. This module is
 * imported only when someone clicks a download (a lazy chunk): the Excel writer is never in the
 * first route's download.
 */
import writeXlsxFile, { type Cell, type SheetData } from 'write-excel-file/browser';
import { saveBlob } from '../lib/api';

/** A cell of a report: text, a count, or an amount of fen (written in yuan with 2 decimals; beyond 2^53 − 1 fen, the exact yuan as text). */
export type ReportCell = string | number | null | { fen: number | string };

function yuanText(fen: string): string {
  const neg = fen.startsWith('-');
  const digits = (neg ? fen.slice(1) : fen).padStart(3, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}

function cell(c: ReportCell): Cell {
  if (c === null) return null;
  if (typeof c === 'string') return { value: c, type: String };
  if (typeof c === 'number') return { value: c, type: Number };
  const n = typeof c.fen === 'number' ? c.fen : Number(c.fen);
  if (Number.isSafeInteger(n)) return { value: n / 100, type: Number, format: '#,##0.00' };
  return { value: yuanText(String(c.fen)), type: String };
}

export async function saveXlsx(fileName: string, sheet: string, headers: string[], rows: ReportCell[][]): Promise<void> {
  const data: SheetData = [headers.map((h) => ({ value: h, type: String, fontWeight: 'bold' as const })), ...rows.map((r) => r.map(cell))];
  const blob = await writeXlsxFile(data, { sheet: sheet.slice(0, 31), columns: headers.map((h) => ({ width: Math.max(12, h.length * 2 + 2) })) }).toBlob();
  saveBlob(blob, fileName);
}
