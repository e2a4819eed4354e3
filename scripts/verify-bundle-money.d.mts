/** Types of verify-bundle-money.mjs (plain JavaScript, Node's standard library only), for the TypeScript tests. */

/** One stored event as a bundle's events.ndjson (or the store's readAll) holds it. */
export interface MoneyEvent {
  readonly id?: string;
  readonly stream: string;
  readonly revision: number;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

export interface MoneyChecked {
  projects: number;
  r1Grants: number;
  r2Ledgers: number;
  r2Assessments: number;
  r2Reversals: number;
  r3Ledgers: number;
  r3Transactions: number;
  r3Reversals: number;
  claims: number;
  disbursements: number;
  disbursementsPaid: number;
  clawbacks: number;
  legacyDisbursements: number;
  bankReferences: number;
  crossChecks: number;
  /** Approved money corrections replayed (a project's and a disbursement's). */
  corrections: number;
  incompleteStreams: string[];
}

export interface MoneyVerification {
  failures: string[];
  summary: string;
  checked: MoneyChecked;
}

export function verifyMoney(events: readonly MoneyEvent[], options?: { partial?: 'fail' | 'skip' }): MoneyVerification;
export function requiredStreams(events: readonly MoneyEvent[]): Set<string>;
export function requiredStreamReasons(events: readonly MoneyEvent[]): Map<string, string>;
export function rateFloor(amount: number, bps: number): number;
export function recomputeR2(
  entries: readonly { projectId: string; contractId: string; amount: number; reversed: boolean }[],
  policy: { r2RateBps: number; r2Threshold: number; r2AnnualCap: number; r2ThresholdMode: 'per_contract' | 'per_year' },
): { uncapped: number; entitlement: number };
export function recomputeR3(entries: readonly { amount: number; reversed: boolean }[], policy: { r3RateBps: number; r3AnnualCap: number }): { uncapped: number; entitlement: number };
export function money(fen: number): string;
/** The bureau every fact recorded before bureaus belongs to; its ledgers keep names without a bureau. */
export const LEGACY_BUREAU_CODE: string;
/** `subsidy|r3-[<bureau>-]<credit code>-<year>`: the legacy bureau's without the bureau. */
export function ledgerName(prefix: 'subsidy' | 'r3', bureau: string | undefined, creditCode: string, year: number): string;
/** The bureau of each project stream among the events: its ProjectSubmitted's, upcast (before bureaus: the legacy one). */
export function projectBureaus(events: readonly MoneyEvent[]): Map<string, string>;
/** The streams one event names under the bundle's closure rule; `projectBureau`: the bureau of its project stream. */
export function closureReferences(event: MoneyEvent, projectBureau: string | undefined): string[];
