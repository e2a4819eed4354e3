import type ExcelJS from 'exceljs';

let excel: Promise<typeof ExcelJS> | undefined;

/**
 * exceljs, loaded when a workbook is first read or written: loading it takes about a tenth of the
 * server's start-up (it requires some 300 CommonJS files), and most processes never need it.
 */
export function loadExcel(): Promise<typeof ExcelJS> {
  // A CommonJS module: its exports are the import's default (the types describe them as named).
  excel ??= import('exceljs').then((m) => (m as unknown as { default: typeof ExcelJS }).default);
  return excel;
}
