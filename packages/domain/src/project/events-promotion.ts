import { z } from 'zod';
import { BankReference } from '../bank-reference/bank-reference.js';
import { IsoDate, Year } from '../values/calendar.js';
import { Id, RecordedName, RecordedText, recorded } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';
import { AcceptanceResult, PerformanceGrade, RecordedOrganisation } from './values.js';
import { claimEventSchemas } from '../entitlement/claims.js';

export const promotionEventSchemas = {
  SelectionGrantAwarded: z.strictObject({
    ...recorded,
    projectId: Id,
    disbursementId: Id,
    payeeCreditCode: CreditCode,
    amount: Fen,
    /**
     * true in v1 events, written when the award itself claimed the grant for `disbursementId`;
     * since v2 the claim is its own EntitlementClaimed, appended with the disbursement's request.
     */
    impliesClaim: z.boolean(),
  }),
  ConversionContractRegistered: z.strictObject({
    ...recorded,
    projectId: Id,
    contractId: Id,
    title: RecordedName,
    /** 转让方. null in contracts registered before v2 (which named only the `buyer`): the project's lead enterprise. */
    transferor: RecordedOrganisation.nullable(),
    /** 受让方: the party that pays for the achievement by bank (v1's `buyer`). */
    transferee: RecordedOrganisation,
    amount: Fen,
    signedOn: IsoDate,
  }),
  /**
   * `enterpriseCreditCode`: the party the programme's R2 subsidy goes to (policy r2Beneficiary;
   * the project's lead enterprise before v2 of the contract); its R2 ledger
   * (`subsidy-<creditCode>-<year of paidOn>`) must assess it next.
   */
  ContractPaymentConfirmed: z.strictObject({
    ...recorded,
    projectId: Id,
    paymentId: Id,
    contractId: Id,
    enterpriseCreditCode: CreditCode,
    amount: Fen,
    bankReference: BankReference,
    paidOn: IsoDate,
  }),
  ContractPaymentReversed: z.strictObject({
    ...recorded,
    projectId: Id,
    paymentId: Id,
    contractId: Id,
    amount: Fen,
    reversedOn: IsoDate,
    reason: RecordedText,
  }),
  SubsidyAssessmentRecorded: z.strictObject({
    ...recorded,
    projectId: Id,
    paymentId: Id,
    step: z.enum(['payment', 'reversal']),
    ledgerStream: z.string().min(1),
    subsidyGranted: Fen,
    clawback: Fen,
  }),
  AcceptanceApplied: z.strictObject({ ...recorded, projectId: Id, appliedOn: IsoDate, deadline: IsoDate, summary: RecordedText.optional() }),
  AcceptanceConcluded: z.strictObject({
    ...recorded,
    projectId: Id,
    result: AcceptanceResult,
    concludedOn: IsoDate,
    comment: RecordedText.optional(),
  }),
  ProjectClosed: z.strictObject({ ...recorded, projectId: Id, comment: RecordedText.optional() }),
  PerformanceGraded: z.strictObject({ ...recorded, projectId: Id, year: Year, grade: PerformanceGrade, comment: RecordedText.optional() }),
  /** Claims against the R1 grant (entitlement key `R1`): see entitlement/claims.ts. */
  ...claimEventSchemas,
} as const;
