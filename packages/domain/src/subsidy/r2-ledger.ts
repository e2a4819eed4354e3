import { z } from 'zod';
import { assertNever, assertRole } from '../authorize.js';
import { BankReference } from '../bank-reference/bank-reference.js';
import type { CommandsOf, Decider, EventsOf } from '../decider.js';
import { domainError } from '../errors.js';
import { R2Policy } from '../policy.js';
import type { Role } from '../roles.js';
import { IsoDate, Year, yearOf } from '../values/calendar.js';
import { Id, RecordedText, Text, recorded } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { BureauCode, LEGACY_BUREAU_CODE } from '../bureau/codes.js';
import { Fen, PositiveFen } from '../values/fen.js';
import type { R2Entry } from './r2-rules.js';
import { assessR2 } from './r2-rules.js';
import { ledgerStream } from './ledger-stream.js';
import type { Claims, EntitlementView } from '../entitlement/claims.js';
import { claimEventSchemas, claimsOf, evolveClaims, spreadReduction } from '../entitlement/claims.js';
import { r2EntryKey } from '../entitlement/entitlement.js';

export const r2LedgerCommandSchemas = {
  /** Assesses a confirmed bank payment (ContractPaymentConfirmed on the project stream). Idempotent by (projectId, paymentId). */
  AssessR2Payment: z.strictObject({
    /** The programme's bureau: whose cap the payment is assessed against. */
    bureauCode: BureauCode,
    creditCode: CreditCode,
    year: Year,
    policy: R2Policy,
    paymentId: Id,
    projectId: Id,
    contractId: Id,
    amount: PositiveFen,
    paidOn: IsoDate,
    bankReference: BankReference,
  }),
  /** Re-assesses the year after a bank payment was reversed (ContractPaymentReversed). Idempotent. */
  AssessR2Reversal: z.strictObject({ projectId: Id, paymentId: Id, reversedOn: IsoDate, reason: Text }),
} as const;

export const r2LedgerEventSchemas = {
  /** v2: bureauCode, the government whose policy grants the cap (v1: LEGACY_BUREAU_CODE). */
  R2LedgerOpened: z.strictObject({ ...recorded, bureauCode: BureauCode, creditCode: CreditCode, year: Year, policy: R2Policy }),
  R2PaymentAssessed: z.strictObject({
    ...recorded,
    paymentId: Id,
    projectId: Id,
    contractId: Id,
    amount: PositiveFen,
    paidOn: IsoDate,
    bankReference: BankReference,
    entitlementBefore: Fen,
    entitlementAfter: Fen,
    /** entitlementAfter − entitlementBefore: what may now be disbursed for this payment. */
    subsidyGranted: Fen,
  }),
  R2ReversalAssessed: z.strictObject({
    ...recorded,
    /** Absent in v1 events, written when payment ids were taken as unique in a ledger: the first entry with that paymentId. */
    projectId: Id.optional(),
    paymentId: Id,
    reversedOn: IsoDate,
    reason: RecordedText,
    entitlementBefore: Fen,
    entitlementAfter: Fen,
    /** entitlementBefore − entitlementAfter: what must be clawed back. */
    clawback: Fen,
  }),
  ...claimEventSchemas,
} as const;

export type R2LedgerCommand = CommandsOf<typeof r2LedgerCommandSchemas>;
export type R2LedgerEvent = EventsOf<typeof r2LedgerEventSchemas>;
export type R2LedgerCommandType = R2LedgerCommand['type'];

export const r2LedgerCommandRoles: Record<R2LedgerCommandType, Role[]> = {
  AssessR2Payment: ['officer', 'finance'],
  AssessR2Reversal: ['officer', 'finance'],
};

/** An assessed payment and the part of the ledger's entitlement it carries (granted − its share of reductions). */
export interface R2LedgerEntry extends R2Entry {
  readonly entitlement: number;
}

export interface R2LedgerState {
  /** The government whose cap this is ('' before the ledger is opened). */
  readonly bureauCode: string;
  readonly creditCode: string;
  readonly year: number;
  readonly policy: R2Policy | null;
  readonly entries: readonly R2LedgerEntry[];
  readonly entitlement: number;
  readonly granted: number;
  readonly clawedBack: number;
  /** What disbursements claim against each entry, by `<projectId>/<paymentId>`. */
  readonly claims: Claims;
}

export const initialR2LedgerState: R2LedgerState = {
  bureauCode: '',
  creditCode: '',
  year: 0,
  policy: null,
  entries: [],
  entitlement: 0,
  granted: 0,
  clawedBack: 0,
  claims: {},
};

function sameEntry(entry: R2Entry, projectId: string | undefined, paymentId: string): boolean {
  return entry.paymentId === paymentId && (projectId === undefined || entry.projectId === projectId);
}

/** The entitlement of one assessed payment, as this ledger sees it now. */
export function r2EntitlementView(state: R2LedgerState, ref: { bureauCode?: string | undefined; creditCode: string; year: number; projectId: string; paymentId: string }): EntitlementView {
  const key = r2EntryKey(ref.projectId, ref.paymentId);
  const entry = sameBureau(state.bureauCode, ref.bureauCode) && state.creditCode === ref.creditCode && state.year === ref.year ? state.entries.find((e) => sameEntry(e, ref.projectId, ref.paymentId)) : undefined;
  return { ref: { rule: 'R2', ...ref }, key, holder: ref.creditCode, entitled: entry?.entitlement ?? null, claims: claimsOf(state.claims, key) };
}

/** Every entry's entitlement view (to find what a reduction left overpaid). */
export function r2EntitlementViews(state: R2LedgerState): EntitlementView[] {
  return state.entries.map((e) => r2EntitlementView(state, { ...bureauOfRef(state.bureauCode), creditCode: state.creditCode, year: state.year, projectId: e.projectId, paymentId: e.paymentId }));
}

/**
 * One ledger per government (bureau) per enterprise per calendar year of bank payment: the cap is
 * the one the bureau's policy grants, so a city's and a county's caps for one enterprise are
 * separate ledgers. `subsidy-<bureauCode>-<creditCode>-<year>`; the legacy bureau keeps the name of
 * before, `subsidy-<creditCode>-<year>`, so its existing ledgers keep their totals.
 */
export function r2LedgerStream(bureauCode: string, creditCode: string, year: number): string {
  return ledgerStream('R2', bureauCode, creditCode, year);
}

/** An entitlement reference names its bureau only when it is not the legacy one (as the ledger's stream name does). */
export function bureauOfRef(bureauCode: string): { bureauCode?: string } {
  return bureauCode === LEGACY_BUREAU_CODE || bureauCode === '' ? {} : { bureauCode };
}

/** Whether a ledger of `ledgerBureau` is the one a reference naming `refBureau` (absent: the legacy bureau) means. */
export function sameBureau(ledgerBureau: string, refBureau: string | undefined): boolean {
  return ledgerBureau === (refBureau ?? LEGACY_BUREAU_CODE);
}

function decide(command: R2LedgerCommand, state: R2LedgerState): R2LedgerEvent[] {
  assertRole(command.type, command.actor, r2LedgerCommandRoles[command.type]);
  const base = { by: command.actor, at: command.at };
  switch (command.type) {
    case 'AssessR2Payment': {
      const { bureauCode, creditCode, year, policy: offered, ...payment } = command.data;
      if (state.entries.some((entry) => sameEntry(entry, payment.projectId, payment.paymentId))) return [];
      if (yearOf(payment.paidOn) !== year) {
        throw domainError('LEDGER_YEAR_MISMATCH', `payment ${payment.paymentId} was paid on ${payment.paidOn}; it belongs to the ${yearOf(payment.paidOn)} ledger, not ${year}`);
      }
      if (state.policy !== null && (state.bureauCode !== bureauCode || state.creditCode !== creditCode || state.year !== year)) {
        throw domainError('LEDGER_PARTY_MISMATCH', `this is the ${state.year} ledger of ${state.creditCode} under ${state.bureauCode}, not the ${year} ledger of ${creditCode} under ${bureauCode}`);
      }
      // The first payment of the year fixes the terms of the ledger.
      const policy = state.policy ?? offered;
      const opening: R2LedgerEvent[] = state.policy === null ? [{ type: 'R2LedgerOpened', data: { ...base, bureauCode, creditCode, year, policy } }] : [];
      const entries = [...state.entries, { ...payment, reversed: false }];
      const paidInYear = entries.reduce((sum, entry) => sum + entry.amount, 0);
      if (!Number.isSafeInteger(paidInYear)) {
        throw domainError('AMOUNT_OUT_OF_RANGE', `the ${year} payments of ${creditCode} would exceed what the ledger can hold`);
      }
      const entitlementAfter = assessR2(entries, policy).entitlement;
      return [
        ...opening,
        {
          type: 'R2PaymentAssessed',
          data: {
            ...base,
            ...payment,
            entitlementBefore: state.entitlement,
            entitlementAfter,
            subsidyGranted: entitlementAfter - state.entitlement,
          },
        },
      ];
    }
    case 'AssessR2Reversal': {
      const { projectId, paymentId } = command.data;
      const entry = state.entries.find((e) => sameEntry(e, projectId, paymentId));
      if (entry === undefined || state.policy === null) {
        throw domainError('LEDGER_ENTRY_NOT_FOUND', `the ${state.year} R2 ledger of ${state.creditCode || 'this enterprise'} has no payment ${paymentId} of project ${projectId}`);
      }
      if (entry.reversed) return [];
      const entries = state.entries.map((e) => (e === entry ? { ...e, reversed: true } : e));
      const entitlementAfter = assessR2(entries, state.policy).entitlement;
      return [
        {
          type: 'R2ReversalAssessed',
          data: { ...base, ...command.data, entitlementBefore: state.entitlement, entitlementAfter, clawback: state.entitlement - entitlementAfter },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: R2LedgerState, event: R2LedgerEvent): R2LedgerState {
  switch (event.type) {
    case 'R2LedgerOpened':
      return { ...state, bureauCode: event.data.bureauCode, creditCode: event.data.creditCode, year: event.data.year, policy: event.data.policy };
    case 'R2PaymentAssessed': {
      const { paymentId, projectId, contractId, amount } = event.data;
      return {
        ...state,
        entries: [...state.entries, { paymentId, projectId, contractId, amount, reversed: false, entitlement: event.data.subsidyGranted }],
        entitlement: event.data.entitlementAfter,
        granted: state.granted + event.data.subsidyGranted,
      };
    }
    case 'R2ReversalAssessed': {
      const index = state.entries.findIndex((e) => sameEntry(e, event.data.projectId, event.data.paymentId));
      const marked = state.entries.map((e, i) => (i === index ? { ...e, reversed: true } : e));
      return {
        ...state,
        entries: spreadReduction(marked, index, event.data.clawback),
        entitlement: event.data.entitlementAfter,
        clawedBack: state.clawedBack + event.data.clawback,
      };
    }
    case 'EntitlementClaimed':
    case 'EntitlementClaimPaid':
    case 'EntitlementClaimReleased':
    case 'EntitlementClaimRecovered':
      return { ...state, claims: evolveClaims(state.claims, event) };
    default:
      return assertNever(event);
  }
}

/**
 * The R2 ledger of one enterprise for one calendar year of bank payment (stream
 * `subsidy-<creditCode>-<year>`). The annual cap is a single-stream invariant: every payment of
 * the enterprise in that year, from any contract of any project, is assessed here in order,
 * appended with the expected revision. Each assessment records the entitlement before and after,
 * so granted − clawed back always equals the current entitlement. Each entry carries its share of
 * it (what it granted, less its share of later reductions), which is what a disbursement naming
 * that entry may pay; the claims against each entry are recorded here too (see entitlement/claims.ts).
 */
export const r2LedgerDecider: Decider<R2LedgerCommand, R2LedgerState, R2LedgerEvent> = {
  decide,
  evolve,
  initialState: initialR2LedgerState,
};
