import { z } from 'zod';
import type { CommandsOf, EventsOf } from '../decider.js';
import { BankReference } from '../bank-reference/bank-reference.js';
import type { Role } from '../roles.js';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, RecordedText, Text, recorded } from '../values/common.js';
import { proseText } from '../values/text.js';
import { CreditCode } from '../values/credit-code.js';
import { PositiveFen } from '../values/fen.js';
import { EntitlementRef } from '../entitlement/entitlement.js';
import { disbursementEvidenceCommandSchemas, disbursementEvidenceEventSchemas } from '../evidence/evidence.js';
import { Corrects } from '../values/corrects.js';

export const RuleKind = z.enum(['R1', 'R2', 'R3']);
export type RuleKind = z.infer<typeof RuleKind>;

const Payee = z.strictObject({ name: Name, creditCode: CreditCode });
const RecordedPayee = z.strictObject({ name: z.string().trim().min(1).max(200), creditCode: CreditCode });
/** What entitles a payment, as typed. */
const Basis = proseText(300);

/** A correction of a paid disbursement: its bank reference, or money recovered (after the project closed, too). */
export const DisbursementCorrection = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bank_reference'), bankReference: BankReference }),
  z.strictObject({ kind: z.literal('clawback'), clawbackId: Id, amount: PositiveFen, decidedOn: IsoDate, basis: Basis }),
]);
export type DisbursementCorrection = z.infer<typeof DisbursementCorrection>;
/** As recorded: a bank reference with the one it replaces. */
export const RecordedDisbursementCorrection = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('bank_reference'), bankReference: BankReference, previousBankReference: BankReference }),
  z.strictObject({ kind: z.literal('clawback'), clawbackId: Id, amount: PositiveFen, decidedOn: IsoDate, basis: z.string().min(1) }),
]);
export type RecordedDisbursementCorrection = z.infer<typeof RecordedDisbursementCorrection>;

export const disbursementCommandSchemas = {
  /**
   * Names the entitlement it pays (the R1 award, an R2 or R3 ledger entry); the amount is what that
   * entitlement still owes, decided on the entitlement's stream: never typed in.
   */
  RequestDisbursement: z.strictObject({
    disbursementId: Id,
    entitlement: EntitlementRef,
    payee: Payee,
  }),
  ApproveDisbursement: z.strictObject({ comment: Text.optional() }),
  CancelDisbursement: z.strictObject({ reason: Text }),
  RecordDisbursementPayment: z.strictObject({ bankReference: BankReference, paidOn: IsoDate }),
  /** The bank returned the whole payment. */
  ReverseDisbursement: z.strictObject({ reversedOn: IsoDate, reason: Text }),
  /** Money is recovered after an audit finding or a recomputed entitlement. */
  ClawBackDisbursement: z.strictObject({ clawbackId: Id, amount: PositiveFen, decidedOn: IsoDate, reason: Text, basis: Basis }),
  ...disbursementEvidenceCommandSchemas,
  /** Four eyes: one finance officer requests, another approves; it takes effect at the approval. `corrects` is filled in by the server. */
  RequestDisbursementCorrection: z.strictObject({ correctionId: Id, correction: DisbursementCorrection, reason: Text, corrects: Corrects }),
  ApproveDisbursementCorrection: z.strictObject({ correctionId: Id, comment: Text.optional() }),
  RejectDisbursementCorrection: z.strictObject({ correctionId: Id, comment: Text }),
} as const;

export const disbursementEventSchemas = {
  DisbursementRequested: z.strictObject({
    ...recorded,
    disbursementId: Id,
    rule: RuleKind,
    /** null: a disbursement requested before v2, with a free-text basis only (it pays no named entitlement). */
    entitlement: EntitlementRef.nullable(),
    payee: RecordedPayee,
    amount: PositiveFen,
    projectId: Id.optional(),
    basis: z.string().min(1),
    requestedBy: z.string().min(1),
  }),
  DisbursementApproved: z.strictObject({ ...recorded, disbursementId: Id, approvedBy: z.string().min(1), comment: RecordedText.optional() }),
  DisbursementCancelled: z.strictObject({ ...recorded, disbursementId: Id, reason: RecordedText }),
  DisbursementPaid: z.strictObject({
    ...recorded,
    disbursementId: Id,
    amount: PositiveFen,
    bankReference: BankReference,
    paidOn: IsoDate,
    recordedBy: z.string().min(1),
  }),
  DisbursementReversed: z.strictObject({
    ...recorded,
    disbursementId: Id,
    amount: PositiveFen,
    originalBankReference: BankReference,
    reversedOn: IsoDate,
    reason: RecordedText,
  }),
  DisbursementClawedBack: z.strictObject({
    ...recorded,
    disbursementId: Id,
    clawbackId: Id,
    amount: PositiveFen,
    originalBankReference: BankReference,
    decidedOn: IsoDate,
    reason: RecordedText,
    basis: z.string().min(1),
  }),
  ...disbursementEvidenceEventSchemas,
  DisbursementCorrectionRequested: z.strictObject({
    ...recorded,
    disbursementId: Id,
    correctionId: Id,
    correction: RecordedDisbursementCorrection,
    reason: RecordedText,
    corrects: Corrects,
    requestedBy: z.string().min(1),
  }),
  /** The correction applied: a bank reference replaced here; a clawback's DisbursementClawedBack follows in the same append. */
  DisbursementCorrectionApproved: z.strictObject({
    ...recorded,
    disbursementId: Id,
    correctionId: Id,
    correction: RecordedDisbursementCorrection,
    reason: RecordedText,
    corrects: Corrects,
    requestedBy: z.string().min(1),
    approvedBy: z.string().min(1),
    comment: RecordedText.optional(),
  }),
  DisbursementCorrectionRejected: z.strictObject({ ...recorded, disbursementId: Id, correctionId: Id, rejectedBy: z.string().min(1), comment: RecordedText }),
} as const;

export type DisbursementCommand = CommandsOf<typeof disbursementCommandSchemas>;
export type DisbursementEvent = EventsOf<typeof disbursementEventSchemas>;
export type DisbursementCommandType = DisbursementCommand['type'];

export const disbursementCommandRoles: Record<DisbursementCommandType, Role[]> = {
  RequestDisbursement: ['finance'],
  ApproveDisbursement: ['finance'],
  CancelDisbursement: ['finance'],
  RecordDisbursementPayment: ['finance'],
  ReverseDisbursement: ['finance'],
  ClawBackDisbursement: ['finance'],
  AttachDisbursementEvidence: ['finance'],
  RequestDisbursementCorrection: ['finance'],
  ApproveDisbursementCorrection: ['finance'],
  RejectDisbursementCorrection: ['finance'],
};

export function disbursementStream(disbursementId: string): string {
  return `disbursement-${disbursementId}`;
}
