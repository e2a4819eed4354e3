import { z } from 'zod';

/**
 * Money is integer fen (1 yuan = 100 fen), never floating point. On input we take a JSON integer
 * or a string of decimal digits (large amounts survive JSON that way); never a fraction, a
 * negative, exponent notation or anything above Number.MAX_SAFE_INTEGER.
 */
export const Fen = z
  .union([
    z.int().nonnegative(),
    z
      .string()
      .regex(/^\d{1,16}$/, 'must be a whole number of fen written with digits only')
      .transform(Number),
  ])
  .pipe(z.int().nonnegative().max(Number.MAX_SAFE_INTEGER, 'must not exceed 9007199254740991 fen'))
  .transform((value) => (Object.is(value, -0) ? 0 : value));
export type Fen = z.infer<typeof Fen>;

export const PositiveFen = Fen.refine((value) => value > 0, 'must be more than 0 fen');

export const FEN_PER_YUAN = 100;

export function yuan(amount: number): number {
  return amount * FEN_PER_YUAN;
}

/** A rate in basis points: 500 = 5%. */
export const BasisPoints = z.int().min(0).max(10_000);

/**
 * amount × bps / 10000, rounded down to the fen. Exact for every safe amount: plain integer
 * arithmetic while the product is a safe integer, BigInt otherwise (never a float division,
 * which can round 0.9999 of a fen up near 2^53).
 */
export function applyRateFloor(amount: number, bps: number): number {
  const product = amount * bps;
  if (Number.isSafeInteger(product)) return (product - (product % 10_000)) / 10_000;
  return Number((BigInt(amount) * BigInt(bps)) / 10_000n);
}

/** Renders fen as yuan for messages an officer reads: 1234567 → "12,345.67 yuan". */
export function formatYuan(fen: number): string {
  const whole = Math.floor(fen / 100);
  const cents = String(fen % 100).padStart(2, '0');
  return `${whole.toLocaleString('en-US')}.${cents} yuan`;
}
