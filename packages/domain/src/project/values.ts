import { z } from 'zod';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, Text } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';

export const Organisation = z.strictObject({ name: Name, creditCode: CreditCode });
export type Organisation = z.infer<typeof Organisation>;

export const PrincipalInvestigator = z.strictObject({ name: Name, title: Name.optional() });
export type PrincipalInvestigator = z.infer<typeof PrincipalInvestigator>;

export const Indicator = z.strictObject({ name: Name, target: Text });
export type Indicator = z.infer<typeof Indicator>;

export const MilestonePlan = z.strictObject({ milestoneId: Id, title: Name, dueOn: IsoDate });
export type MilestonePlan = z.infer<typeof MilestonePlan>;

export const stages = ['solicitation', 'advancement', 'promotion'] as const;
export const Stage = z.enum(stages);
export type Stage = z.infer<typeof Stage>;

export const AcceptanceResult = z.enum(['passed', 'passed_after_rectification', 'failed']);
export type AcceptanceResult = z.infer<typeof AcceptanceResult>;

/** 优秀 / 良好 / 合格 / 不合格 */
export const PerformanceGrade = z.enum(['excellent', 'good', 'qualified', 'unqualified']);
export type PerformanceGrade = z.infer<typeof PerformanceGrade>;

export const MidTermResult = z.enum(['on_track', 'behind_schedule', 'at_risk']);

/** A change to the task book that needs an approver: principal investigator, budget, or indicators. */
export const ProposedChange = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('principal_investigator'), principalInvestigator: PrincipalInvestigator }),
  z.strictObject({ kind: z.literal('budget'), budget: Fen }),
  z.strictObject({ kind: z.literal('indicators'), indicators: z.array(Indicator).min(1).max(100) }),
]);
export type ProposedChange = z.infer<typeof ProposedChange>;
