import { z } from 'zod';

/**
 * A bank's transaction reference. Normalised (trimmed, upper case, inner spaces removed) so that
 * "ab 123" and "AB123" are recognised as the same payment.
 */
export const BankReference = z
  .string()
  // A control character is refused, not normalised away (\f and \v are whitespace to `\s`).
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  .regex(/^[^\u0000-\u001f\u007f-\u009f]*$/, 'must not contain control characters')
  .transform((value) => value.trim().toUpperCase().replace(/\s+/g, ''))
  .pipe(z.string().regex(/^[A-Z0-9][A-Z0-9_-]{3,63}$/, 'must be 4-64 letters, digits, "_" or "-"'));
export type BankReference = z.infer<typeof BankReference>;

export function bankReferenceStream(reference: string): string {
  return `bank-reference-${reference}`;
}
