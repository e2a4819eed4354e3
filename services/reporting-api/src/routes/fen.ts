import { z } from 'zod';

/**
 * A sum of money in fen as the API sends it: a JSON integer while it is a safe integer (|x| ≤
 * 2^53 − 1), the exact decimal string beyond (the same two forms money input accepts). Sums are
 * computed in SQL as `numeric` and read back as text, so no amount ever passes through a float.
 */
export const FenSum = z
  .union([z.number().int(), z.string().regex(/^-?\d+$/)])
  .meta({ description: 'fen: a JSON integer, or a string of digits when beyond 2^53 − 1' });
export type FenSum = z.infer<typeof FenSum>;

/** The SQL text of an integer sum (`sum(x)::numeric::text`) as a FenSum. */
export function fenSum(text: unknown): FenSum {
  if (text === null || text === undefined) return 0;
  const digits = String(text);
  if (!/^-?\d+$/.test(digits)) throw new RangeError(`not an integer amount of fen: ${digits.slice(0, 40)}`);
  const exact = BigInt(digits);
  return exact <= BigInt(Number.MAX_SAFE_INTEGER) && exact >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(exact) : exact.toString();
}

/** A FenSum as a CSV cell value: the digits of an amount beyond 2^53 − 1 become a BigInt (written as a number). */
export function fenCell(value: unknown): unknown {
  return typeof value === 'string' && /^-?\d+$/.test(value) ? BigInt(value) : value;
}
