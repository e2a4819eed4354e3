import { z } from 'zod';
import { BankReference } from '../bank-reference/bank-reference.js';
import { IsoDate, Year } from '../values/calendar.js';
import { Id, Name, Text, recorded } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';
import { AcceptanceResult, Organisation, PerformanceGrade } from './values.js';

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
    title: Name,
    buyer: Organisation,
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
    reason: Text,
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
  AcceptanceApplied: z.strictObject({ ...recorded, projectId: Id, appliedOn: IsoDate, deadline: IsoDate, summary: Text.optional() }),
  AcceptanceConcluded: z.strictObject({
    ...recorded,
    projectId: Id,
    result: AcceptanceResult,
    concludedOn: IsoDate,
    comment: Text.optional(),
  }),
  ProjectClosed: z.strictObject({ ...recorded, projectId: Id, comment: Text.optional() }),
  PerformanceGraded: z.strictObject({ ...recorded, projectId: Id, year: Year, grade: PerformanceGrade, comment: Text.optional() }),
} as const;
