import { annualSummary, bankReference, disbursement, programme, project, r2Ledger, r3Ledger } from '@gongguan/domain';

/** The aggregates commands are decided by, each with its decider and its event guard. */
export const aggregates = { programme, project, disbursement, bankReference, r2Ledger, r3Ledger, annualSummary } as const;
export type AggregateName = keyof typeof aggregates;
