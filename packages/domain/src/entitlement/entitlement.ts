import { z } from 'zod';
import { Year } from '../values/calendar.js';
import { Id } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { BureauCode, LEGACY_BUREAU_CODE } from '../bureau/codes.js';
import { ledgerStream } from '../subsidy/ledger-stream.js';

/**
 * What a disbursement pays: one entitlement, named, never an amount typed in.
 *
 * - R1: the project's one-time selection grant (stream `project-<projectId>`, key `R1`);
 * - R2: one assessed bank payment on the enterprise-year ledger (stream
 *   `subsidy-<creditCode>-<year>`, key `<projectId>/<paymentId>`: payment ids are unique only
 *   within a project);
 * - R3: one recorded transaction on the institution-year ledger (stream
 *   `r3-<creditCode>-<year>`, key `<transactionId>`).
 *
 * R2 and R3 ledgers belong to a bureau (the government whose cap it is): `bureauCode` names it,
 * absent for the legacy bureau (whose ledgers keep the stream names above) and otherwise in the
 * stream name, `subsidy-<bureauCode>-<creditCode>-<year>`, `r3-<bureauCode>-<creditCode>-<year>`.
 */
export const EntitlementRef = z.discriminatedUnion('rule', [
  z.strictObject({ rule: z.literal('R1'), projectId: Id }),
  z.strictObject({ rule: z.literal('R2'), bureauCode: BureauCode.optional(), creditCode: CreditCode, year: Year, projectId: Id, paymentId: Id }),
  z.strictObject({ rule: z.literal('R3'), bureauCode: BureauCode.optional(), creditCode: CreditCode, year: Year, transactionId: Id }),
]);
export type EntitlementRef = z.infer<typeof EntitlementRef>;

/** The key of an R2 ledger entry: (project, payment). */
export function r2EntryKey(projectId: string, paymentId: string): string {
  return `${projectId}/${paymentId}`;
}

/** The key of the entitlement within its stream. */
export function entitlementKey(ref: EntitlementRef): string {
  switch (ref.rule) {
    case 'R1':
      return 'R1';
    case 'R2':
      return r2EntryKey(ref.projectId, ref.paymentId);
    case 'R3':
      return ref.transactionId;
    default: {
      const never: never = ref;
      throw new Error(`unknown entitlement ${JSON.stringify(never)}`);
    }
  }
}

/** The stream whose state decides the entitlement (and records what is claimed against it). */
export function entitlementStream(ref: EntitlementRef): string {
  switch (ref.rule) {
    case 'R1':
      return `project-${ref.projectId}`;
    case 'R2':
    case 'R3':
      return ledgerStream(ref.rule, ref.bureauCode ?? LEGACY_BUREAU_CODE, ref.creditCode, ref.year);
    default: {
      const never: never = ref;
      throw new Error(`unknown entitlement ${JSON.stringify(never)}`);
    }
  }
}

/** How an entitlement names itself in messages and in the disbursement's `basis`. */
export function describeEntitlement(ref: EntitlementRef): string {
  return `${entitlementStream(ref)}/${entitlementKey(ref)}`;
}
