import { z } from 'zod';
import { assertNever, assertRole } from '../authorize.js';
import type { CommandsOf, Decider, EventsOf } from '../decider.js';
import { domainError } from '../errors.js';
import { R3Policy } from '../policy.js';
import type { Role } from '../roles.js';
import { IsoDate, Year, yearOf } from '../values/calendar.js';
import { Id, RecordedName, RecordedText, Text, recorded } from '../values/common.js';
import { proseText } from '../values/text.js';
import { CreditCode } from '../values/credit-code.js';
import { BureauCode } from '../bureau/codes.js';
import { Fen, PositiveFen } from '../values/fen.js';
import type { R3Entry } from './r2-rules.js';
import { assessR3 } from './r2-rules.js';
import { ledgerStream } from './ledger-stream.js';
import type { Claims, EntitlementView } from '../entitlement/claims.js';
import { claimEventSchemas, claimsOf, evolveClaims, spreadReduction } from '../entitlement/claims.js';
import { bureauOfRef, sameBureau } from './r2-ledger.js';

export const r3LedgerCommandSchemas = {
  /** Records one technology transaction brokered by a transfer institution. Idempotent by transactionId. */
  RecordR3Transaction: z.strictObject({
    /** The programme's bureau: whose cap the transaction counts against. */
    bureauCode: BureauCode,
    creditCode: CreditCode,
    year: Year,
    policy: R3Policy,
    transactionId: Id,
    amount: PositiveFen,
    occurredOn: IsoDate,
    inCity: z.boolean(),
    description: proseText(200),
  }),
  ReverseR3Transaction: z.strictObject({ transactionId: Id, reversedOn: IsoDate, reason: Text }),
} as const;

export const r3LedgerEventSchemas = {
  /** v2: bureauCode, the government whose policy grants the cap (v1: LEGACY_BUREAU_CODE). */
  R3LedgerOpened: z.strictObject({ ...recorded, bureauCode: BureauCode, creditCode: CreditCode, year: Year, policy: R3Policy }),
  R3TransactionRecorded: z.strictObject({
    ...recorded,
    transactionId: Id,
    amount: PositiveFen,
    occurredOn: IsoDate,
    description: RecordedName,
    entitlementBefore: Fen,
    entitlementAfter: Fen,
    subsidyGranted: Fen,
  }),
  R3TransactionReversed: z.strictObject({
    ...recorded,
    transactionId: Id,
    reversedOn: IsoDate,
    reason: RecordedText,
    entitlementBefore: Fen,
    entitlementAfter: Fen,
    clawback: Fen,
  }),
  ...claimEventSchemas,
} as const;

export type R3LedgerCommand = CommandsOf<typeof r3LedgerCommandSchemas>;
export type R3LedgerEvent = EventsOf<typeof r3LedgerEventSchemas>;
export type R3LedgerCommandType = R3LedgerCommand['type'];

export const r3LedgerCommandRoles: Record<R3LedgerCommandType, Role[]> = {
  RecordR3Transaction: ['officer', 'finance'],
  ReverseR3Transaction: ['officer', 'finance'],
};

/** A recorded transaction and the part of the ledger's entitlement it carries. */
export interface R3LedgerEntry extends R3Entry {
  readonly entitlement: number;
}

export interface R3LedgerState {
  /** The government whose cap this is ('' before the ledger is opened). */
  readonly bureauCode: string;
  readonly creditCode: string;
  readonly year: number;
  readonly policy: R3Policy | null;
  readonly entries: readonly R3LedgerEntry[];
  readonly entitlement: number;
  /** What disbursements claim against each transaction, by transactionId. */
  readonly claims: Claims;
}

export const initialR3LedgerState: R3LedgerState = { bureauCode: '', creditCode: '', year: 0, policy: null, entries: [], entitlement: 0, claims: {} };

/** The entitlement of one recorded transaction, as this ledger sees it now. */
export function r3EntitlementView(state: R3LedgerState, ref: { bureauCode?: string | undefined; creditCode: string; year: number; transactionId: string }): EntitlementView {
  const entry = sameBureau(state.bureauCode, ref.bureauCode) && state.creditCode === ref.creditCode && state.year === ref.year ? state.entries.find((e) => e.transactionId === ref.transactionId) : undefined;
  return { ref: { rule: 'R3', ...ref }, key: ref.transactionId, holder: ref.creditCode, entitled: entry?.entitlement ?? null, claims: claimsOf(state.claims, ref.transactionId) };
}

export function r3EntitlementViews(state: R3LedgerState): EntitlementView[] {
  return state.entries.map((e) => r3EntitlementView(state, { ...bureauOfRef(state.bureauCode), creditCode: state.creditCode, year: state.year, transactionId: e.transactionId }));
}

/**
 * One ledger per government (bureau) per transfer institution per calendar year:
 * `r3-<bureauCode>-<creditCode>-<year>`, and `r3-<creditCode>-<year>` for the legacy bureau (as before).
 */
export function r3LedgerStream(bureauCode: string, creditCode: string, year: number): string {
  return ledgerStream('R3', bureauCode, creditCode, year);
}

function decide(command: R3LedgerCommand, state: R3LedgerState): R3LedgerEvent[] {
  assertRole(command.type, command.actor, r3LedgerCommandRoles[command.type]);
  const base = { by: command.actor, at: command.at };
  switch (command.type) {
    case 'RecordR3Transaction': {
      const { bureauCode, creditCode, year, policy: offered, inCity, ...transaction } = command.data;
      if (state.entries.some((entry) => entry.transactionId === transaction.transactionId)) return [];
      if (!inCity) {
        throw domainError('NOT_IN_CITY', `transaction ${transaction.transactionId} is not in the city; only in-city volume earns the R3 subsidy`);
      }
      if (yearOf(transaction.occurredOn) !== year) {
        throw domainError('LEDGER_YEAR_MISMATCH', `transaction ${transaction.transactionId} of ${transaction.occurredOn} does not belong to the ${year} ledger`);
      }
      if (state.policy !== null && (state.bureauCode !== bureauCode || state.creditCode !== creditCode || state.year !== year)) {
        throw domainError('LEDGER_PARTY_MISMATCH', `this is the ${state.year} ledger of ${state.creditCode} under ${state.bureauCode}, not the ${year} ledger of ${creditCode} under ${bureauCode}`);
      }
      const policy = state.policy ?? offered;
      const opening: R3LedgerEvent[] = state.policy === null ? [{ type: 'R3LedgerOpened', data: { ...base, bureauCode, creditCode, year, policy } }] : [];
      const entries = [...state.entries, { transactionId: transaction.transactionId, amount: transaction.amount, reversed: false, entitlement: 0 }];
      if (!Number.isSafeInteger(entries.reduce((sum, entry) => sum + entry.amount, 0))) {
        throw domainError('AMOUNT_OUT_OF_RANGE', `the ${year} volume of ${creditCode} would exceed what the ledger can hold`);
      }
      const entitlementAfter = assessR3(entries, policy).entitlement;
      return [
        ...opening,
        {
          type: 'R3TransactionRecorded',
          data: { ...base, ...transaction, entitlementBefore: state.entitlement, entitlementAfter, subsidyGranted: entitlementAfter - state.entitlement },
        },
      ];
    }
    case 'ReverseR3Transaction': {
      const entry = state.entries.find((e) => e.transactionId === command.data.transactionId);
      if (entry === undefined || state.policy === null) {
        throw domainError('LEDGER_ENTRY_NOT_FOUND', `the ${state.year} R3 ledger of ${state.creditCode || 'this institution'} has no transaction ${command.data.transactionId}`);
      }
      if (entry.reversed) return [];
      const entries = state.entries.map((e) => (e.transactionId === entry.transactionId ? { ...e, reversed: true } : e));
      const entitlementAfter = assessR3(entries, state.policy).entitlement;
      return [
        {
          type: 'R3TransactionReversed',
          data: { ...base, ...command.data, entitlementBefore: state.entitlement, entitlementAfter, clawback: state.entitlement - entitlementAfter },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function evolve(state: R3LedgerState, event: R3LedgerEvent): R3LedgerState {
  switch (event.type) {
    case 'R3LedgerOpened':
      return { ...state, bureauCode: event.data.bureauCode, creditCode: event.data.creditCode, year: event.data.year, policy: event.data.policy };
    case 'R3TransactionRecorded':
      return {
        ...state,
        entries: [...state.entries, { transactionId: event.data.transactionId, amount: event.data.amount, reversed: false, entitlement: event.data.subsidyGranted }],
        entitlement: event.data.entitlementAfter,
      };
    case 'R3TransactionReversed': {
      const index = state.entries.findIndex((e) => e.transactionId === event.data.transactionId);
      const marked = state.entries.map((e, i) => (i === index ? { ...e, reversed: true } : e));
      return { ...state, entries: spreadReduction(marked, index, event.data.clawback), entitlement: event.data.entitlementAfter };
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
 * The R3 ledger of one technology-transfer institution for one calendar year (stream
 * `r3-<creditCode>-<year>`): rate × in-city transaction volume, rounded down, capped per year.
 */
export const r3LedgerDecider: Decider<R3LedgerCommand, R3LedgerState, R3LedgerEvent> = {
  decide,
  evolve,
  initialState: initialR3LedgerState,
};
