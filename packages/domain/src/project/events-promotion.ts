import { z } from 'zod';
import { BankReference } from '../bank-reference/bank-reference.js';
import { IsoDate, Year } from '../values/calendar.js';
import { Id, RecordedName, RecordedText, recorded } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';
import { AcceptanceResult, PerformanceGrade, RecordedOrganisation } from './values.js';

export const promotionEventSchemas = {
  SelectionGrantAwarded: z.strictObject({
    ...recorded,
    projectId: Id,
    disbursementId: Id,
    payeeCreditCode: CreditCode,
    amount: Fen,
  }),
  ConversionContractRegistered: z.strictObject({
    ...recorded,
    projectId: Id,
    contractId: Id,
    title: RecordedName,
    buyer: RecordedOrganisation,
    amount: Fen,
    signedOn: IsoDate,
  }),
  /** The enterprise's R2 ledger (`subsidy-<creditCode>-<year of paidOn>`) must assess it next. */
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
} as const;
