import { z } from 'zod';

/** GB 32100-2015 character set: digits and capitals without I, O, Z, S, V. */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Registration departments we accept and the organisation categories each may issue. Kept to the
 * departments whose organisations take part in a technology programme: 1 institutional (机构编制),
 * 5 civil affairs (民政), 9 market regulation (工商), Y other.
 */
const CATEGORIES: Readonly<Record<string, string>> = {
  '1': '1239',
  '5': '1239',
  '9': '123',
  Y: '1',
};

/** The check character (position 18) for the first 17 characters, or null if one is not in the charset. */
export function creditCodeCheckChar(first17: string): string | null {
  if (first17.length !== 17) return null;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const value = CHARSET.indexOf(first17.charAt(i));
    if (value < 0) return null;
    sum += value * (WEIGHTS[i] ?? 0);
  }
  const check = (31 - (sum % 31)) % 31;
  return CHARSET.charAt(check);
}

/** Why a string is not a valid unified social credit code, or null when it is. */
export function creditCodeProblem(code: string): string | null {
  if (code.length !== 18) return 'must be 18 characters';
  for (const ch of code) {
    if (!CHARSET.includes(ch)) return `contains "${ch}", which GB 32100-2015 does not use`;
  }
  const categories = CATEGORIES[code.charAt(0)];
  if (categories === undefined) return `registration department "${code.charAt(0)}" is not one of 1, 5, 9, Y`;
  if (!categories.includes(code.charAt(1))) {
    return `organisation category "${code.charAt(1)}" is not valid for department "${code.charAt(0)}"`;
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'region code (positions 3-8) must be six digits';
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (expected !== code.charAt(17)) return `check character should be "${expected ?? '?'}"`;
  return null;
}

export function isCreditCode(code: string): boolean {
  return creditCodeProblem(code) === null;
}

/** A unified social credit code (统一社会信用代码), the key of an enterprise or institution. */
export const CreditCode = z.string().superRefine((value, ctx) => {
  const problem = creditCodeProblem(value);
  if (problem !== null) ctx.addIssue({ code: 'custom', message: `invalid unified social credit code: ${problem}` });
});
export type CreditCode = z.infer<typeof CreditCode>;
