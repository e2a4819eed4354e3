import type { ColumnType } from '@gongguan/projections';
import { z } from 'zod';

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const zodFor: Record<ColumnType, () => z.ZodType> = {
  text: () => z.string(),
  bigint: () => z.number().int().meta({ description: 'fen (1 yuan = 100 fen)' }),
  integer: () => z.number().int(),
  date: () => z.string().meta({ format: 'date' }),
  timestamptz: () => z.string().meta({ format: 'date-time' }),
  boolean: () => z.boolean(),
  jsonb: () => z.unknown(),
};

/** The JSON shape of a view's rows: the view's columns in camelCase, each nullable unless it is the key. */
export function rowSchema(columns: Readonly<Record<string, ColumnType>>, key: string, example: Record<string, unknown>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, type] of Object.entries(columns)) {
    const base = zodFor[type]();
    shape[camel(name)] = name === key ? base : base.nullable();
  }
  return z.object(shape).meta({ example });
}

/** A row as PostgreSQL's row_to_json wrote it, with camelCase members. */
export function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) out[camel(name)] = value;
  return out;
}
