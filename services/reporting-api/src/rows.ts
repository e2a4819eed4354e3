import type { ColumnType } from '@gongguan/projections';
import { z } from 'zod';
import { FenSum, fenCell, fenSum } from './routes/fen.js';

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

const zodFor: Record<ColumnType, () => z.ZodType> = {
  text: () => z.string(),
  bigint: () => FenSum.meta({ description: 'fen (1 yuan = 100 fen): a JSON integer, or a string of digits when beyond 2^53 − 1' }),
  integer: () => z.number().int(),
  date: () => z.string().meta({ format: 'date' }),
  timestamptz: () => z.string().meta({ format: 'date-time' }),
  boolean: () => z.boolean(),
  jsonb: () => z.unknown(),
};

/** Each column type's schema, and its nullable form, made once and shared by every view (zod schemas are immutable; each costs ~30 µs to build at start). */
const columnSchemas = new Map<ColumnType, { base: z.ZodType; nullable: z.ZodType }>();
function columnSchema(type: ColumnType, nullable: boolean): z.ZodType {
  let schemas = columnSchemas.get(type);
  if (schemas === undefined) {
    const base = zodFor[type]();
    schemas = { base, nullable: base.nullable() };
    columnSchemas.set(type, schemas);
  }
  return nullable ? schemas.nullable : schemas.base;
}

/** The JSON shape of a view's rows: the view's columns in camelCase, each nullable unless it is the key. */
export function rowSchema(columns: Readonly<Record<string, ColumnType>>, key: string, example: Record<string, unknown>) {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, type] of Object.entries(columns)) shape[camel(name)] = columnSchema(type, name !== key);
  return z.object(shape).meta({ example });
}

/** A row as PostgreSQL's row_to_json wrote it, with camelCase members. */
export function camelRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) out[camel(name)] = value;
  return out;
}

/**
 * Reads a view's rows exactly: `row_to_json` writes bigint (fen) columns as JSON numbers, which
 * JSON.parse would round beyond 2^53, so each is also selected as text and put back as a FenSum
 * (a JSON integer while safe, the exact digits beyond). Every bigint column of a view is money.
 */
export function exactRows(columns: Readonly<Record<string, ColumnType>>, alias = 't') {
  const money = Object.entries(columns)
    .filter(([, type]) => type === 'bigint')
    .map(([name]) => name);
  return {
    /** Extra select-list items, to follow `row_to_json(alias)::text as j`. */
    select: money.map((name, i) => `, ${alias}.${name}::text as fen${i}`).join(''),
    /** The row for a CSV export: amounts beyond 2^53 − 1 as BigInt, so the CSV writes them as numbers (a negative one is no formula). */
    forCsv(row: Record<string, unknown>): Record<string, unknown> {
      const out = { ...row };
      for (const name of money) out[name] = fenCell(row[name]);
      return out;
    },
    read(row: { j: string } & Record<string, unknown>): Record<string, unknown> {
      const parsed = JSON.parse(row.j) as Record<string, unknown>;
      money.forEach((name, i) => {
        const text = row[`fen${i}`];
        parsed[name] = text === null || text === undefined ? null : fenSum(text);
      });
      return parsed;
    },
  };
}
