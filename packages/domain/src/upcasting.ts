import type { DomainEvent } from './events.js';
import { cycleEnd } from './deadlines.js';
import { currentSchemaVersion, eventSchemas, isEventType } from './events.js';
import { monthsBetween, parseYmd } from './values/calendar.js';
import { LEGACY_BUREAU_CODE } from './bureau/codes.js';

/** Turns the data of version n of an event into version n + 1. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/**
 * Exact yuan → fen for a stored yuan amount: a number or string with at most two decimals.
 * Goes through the decimal text, never through a float multiplication (0.29 * 100 = 28.999…).
 */
export function yuanToFen(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d+(\.\d{1,2})?$/.test(text)) {
    throw new RangeError(`not an amount of yuan with at most two decimals: ${String(value)}`);
  }
  const [whole = '0', fraction = ''] = text.split('.');
  const fen = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  if (!Number.isSafeInteger(fen)) throw new RangeError(`amount too large: ${text}`);
  return fen;
}

/** The inclusive cycle end for a v1 task book whose stored end was start + N months (clamped). */
function inclusiveEndOf(startOn: unknown, anniversary: unknown): string {
  if (typeof startOn !== 'string' || typeof anniversary !== 'string' || parseYmd(startOn) === null || parseYmd(anniversary) === null) {
    throw new RangeError(`TaskBookSigned v1 needs calendar dates startOn and endOn: ${String(startOn)}, ${String(anniversary)}`);
  }
  return cycleEnd(startOn, monthsBetween(startOn, anniversary));
}

function isRecordValue(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Before the r2Beneficiary setting, R2 went to the project's lead enterprise, which a contract of
 * those days records as the transferor (its `buyer` being the transferee): so the old policies
 * read back as paying the transferor, which is what they did.
 */
const withLegacyBeneficiary: Upcaster = ({ policy, ...rest }) => ({
  ...rest,
  policy: isRecordValue(policy) ? { ...policy, r2Beneficiary: 'transferor' } : policy,
});

/** Every fact recorded before bureaus existed belongs to the legacy bureau (Taizhou, 331000). */
const withLegacyBureau: Upcaster = (data) => ({ ...data, bureauCode: LEGACY_BUREAU_CODE });

/** upcasters[type][n] upgrades version n to n + 1. */
export const upcasters: Partial<Record<string, Record<number, Upcaster>>> = {
  ProgrammeLaunched: { 1: withLegacyBeneficiary, 2: withLegacyBureau },
  ProjectSubmitted: {
    // v1 stored the requested funding as a number of yuan; v2 stores integer fen.
    1: ({ requestedFundingYuan, ...rest }) => ({ ...rest, requestedFunding: yuanToFen(requestedFundingYuan) }),
    2: withLegacyBeneficiary,
    // v4 adds the programme's bureau; a proposal of before named no county bureau.
    3: withLegacyBureau,
  },
  TaskBookSigned: {
    // v1 stored the anniversary (start + cycle months, clamped) as `endOn`: one day past the
    // cycle. Its month tells the cycle's length exactly, so v2's inclusive end is recomputed.
    1: (data) => ({ ...data, endOn: inclusiveEndOf(data.startOn, data.endOn) }),
  },
  ExtensionApproved: {
    // v1's `newEndOn` was the anniversary too, but without the task book's start it cannot be
    // recomputed exactly (a clamped month end is ambiguous): v2 leaves it out, and readers derive
    // it from the start, the cycle and `months` (see the ExtensionApproved schema).
    1: ({ newEndOn: _anniversary, ...rest }) => rest,
  },
  // v1 named only the counterparty, `buyer`, who paid the project's enterprise: the transferee.
  // The transferor was the project's lead enterprise, which the project's state supplies (null here).
  ConversionContractRegistered: { 1: ({ buyer, ...rest }) => ({ ...rest, transferor: null, transferee: buyer }) },
  // v1: the award itself claimed the grant for its disbursement (no EntitlementClaimed follows it).
  SelectionGrantAwarded: { 1: (data) => ({ ...data, impliesClaim: true }) },
  // v1: a free amount with a free-text basis; it names no entitlement.
  DisbursementRequested: { 1: (data) => ({ ...data, entitlement: null }) },
  // v1 named the payment by paymentId alone (no projectId): the ledger's first entry with that id.
  R2ReversalAssessed: { 1: (data) => data },
  // A ledger opened before bureaus is the legacy bureau's (its stream keeps the old name).
  R2LedgerOpened: { 1: withLegacyBureau },
  R3LedgerOpened: { 1: withLegacyBureau },
};

export interface StoredEvent {
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Upgrades the data of a stored event step by step to the current version of its type. */
export function upcast(event: StoredEvent): { type: string; schemaVersion: number; data: unknown } {
  if (!isEventType(event.type)) throw new Error(`unknown event type ${event.type}`);
  const target = currentSchemaVersion[event.type];
  if (!Number.isInteger(event.schemaVersion) || event.schemaVersion < 1 || event.schemaVersion > target) {
    throw new Error(`${event.type} has schema version ${event.schemaVersion}; this code knows 1 to ${target}`);
  }
  let data = event.data;
  for (let version = event.schemaVersion; version < target; version += 1) {
    const step = upcasters[event.type]?.[version];
    if (step === undefined) throw new Error(`no upcaster for ${event.type} v${version} → v${version + 1}`);
    if (!isRecord(data)) throw new Error(`${event.type} v${version} data is not an object`);
    data = step(data);
  }
  return { type: event.type, schemaVersion: target, data };
}

/**
 * Reads an event back from the store: upcasts it to the current version and validates it with
 * its zod schema. Throws on an unknown type, an unknown version or invalid data.
 */
export function parseEvent(event: StoredEvent): DomainEvent {
  const current = upcast(event);
  if (!isEventType(current.type)) throw new Error(`unknown event type ${current.type}`);
  const data: unknown = eventSchemas[current.type].parse(current.data);
  // The schema chosen by `type` produced `data`, so the pair is well-typed by construction.
  return { type: current.type, data } as DomainEvent;
}
