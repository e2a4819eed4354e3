import { z } from 'zod';
import { IsoDate, Year } from '../values/calendar.js';
import { Id, Name, Text } from '../values/common.js';
import { Fen, PositiveFen } from '../values/fen.js';
import { BankReference } from '../bank-reference/bank-reference.js';
import { AcceptanceResult, Organisation, PerformanceGrade } from './values.js';

/** Stage 3, promotion (推广), plus the money steps recorded on the project stream. */
export const promotionCommandSchemas = {
  /** Claims the one R1 grant of the project for a disbursement (the claim is the "once" guard). */
  AwardSelectionGrant: z.strictObject({ disbursementId: Id }),
  /** The project's lead enterprise is one of the two parties: the transferor (转让方) or the transferee (受让方). */
  RegisterConversionContract: z.strictObject({
    contractId: Id,
    title: Name,
    transferor: Organisation,
    transferee: Organisation,
    amount: PositiveFen,
    signedOn: IsoDate,
  }),
  ConfirmContractPayment: z.strictObject({
    paymentId: Id,
    contractId: Id,
    amount: PositiveFen,
    bankReference: BankReference,
    paidOn: IsoDate,
  }),
  ReverseContractPayment: z.strictObject({ paymentId: Id, reversedOn: IsoDate, reason: Text }),
  /**
   * Closes the process step "assess the R2 subsidy of a bank payment" once the enterprise-year
   * ledger has recorded it; until then the payment shows as pending assessment.
   */
  RecordSubsidyAssessment: z.strictObject({
    paymentId: Id,
    step: z.enum(['payment', 'reversal']),
    ledgerStream: z.string().min(1).max(200),
    subsidyGranted: Fen,
    clawback: Fen,
  }),
  ApplyForAcceptance: z.strictObject({ appliedOn: IsoDate, summary: Text.optional() }),
  ConcludeAcceptance: z.strictObject({ result: AcceptanceResult, concludedOn: IsoDate, comment: Text.optional() }),
  CloseProject: z.strictObject({ comment: Text.optional() }),
  GradeAnnualPerformance: z.strictObject({ year: Year, grade: PerformanceGrade, comment: Text.optional() }),
} as const;
