import { LEGACY_BUREAU_CODE } from '../bureau/codes.js';

/** The rule whose cap an enterprise-year ledger keeps, and its stream's prefix. */
const PREFIX = { R2: 'subsidy', R3: 'r3' } as const;
export type LedgerRule = keyof typeof PREFIX;

/**
 * The one naming rule of the R2 and R3 enterprise-year ledgers (a cap belongs to the bureau whose
 * policy grants it): `subsidy-<bureauCode>-<creditCode>-<year>` (R3: `r3-…`), and without the bureau
 * for the legacy bureau, whose ledgers keep the names of before bureaus (and so their totals).
 * `r2LedgerStream`, `r3LedgerStream` and `entitlementStream` name ledgers by it;
 * scripts/verify-bundle-money.mjs keeps a standard-library copy, held equal by test/verify-money-parity.test.ts.
 */
export function ledgerStream(rule: LedgerRule, bureauCode: string, creditCode: string, year: number): string {
  const prefix = PREFIX[rule];
  return bureauCode === LEGACY_BUREAU_CODE ? `${prefix}-${creditCode}-${year}` : `${prefix}-${bureauCode}-${creditCode}-${year}`;
}

/** A ledger's stream name: prefix, the bureau (6 digits, absent for the legacy one), an 18-character credit code, the year. */
export const LEDGER_STREAM = /^(subsidy|r3)-(?:([1-9][0-9]{5})-)?([0-9A-Z]{18})-([0-9]{4})$/;

/** What a ledger's stream name says: whose cap (the bureau; the legacy one when the name has none), of whom, which year. */
export function parseLedgerStream(stream: string): { rule: LedgerRule; bureauCode: string; creditCode: string; year: number } | undefined {
  const m = LEDGER_STREAM.exec(stream);
  if (m === null) return undefined;
  return { rule: m[1] === 'subsidy' ? 'R2' : 'R3', bureauCode: m[2] ?? LEGACY_BUREAU_CODE, creditCode: m[3]!, year: Number(m[4]) };
}
