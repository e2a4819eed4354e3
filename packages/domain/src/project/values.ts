import { z } from 'zod';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, RecordedName, RecordedText, Text } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';

/** The values a person types (strict text), and the same as recorded in events (lenient: see RecordedText). */
function people(name: z.ZodString, text: z.ZodString) {
  const organisation = z.strictObject({ name, creditCode: CreditCode });
  const principalInvestigator = z.strictObject({ name, title: name.optional() });
  const indicator = z.strictObject({ name, target: text });
  const milestonePlan = z.strictObject({ milestoneId: Id, title: name, dueOn: IsoDate });
  return { organisation, principalInvestigator, indicator, milestonePlan };
}
const typed = people(Name, Text);
const stored = people(RecordedName, RecordedText);

export const Organisation = typed.organisation;
export type Organisation = z.infer<typeof Organisation>;
export const RecordedOrganisation = stored.organisation;

export const PrincipalInvestigator = typed.principalInvestigator;
export type PrincipalInvestigator = z.infer<typeof PrincipalInvestigator>;
export const RecordedPrincipalInvestigator = stored.principalInvestigator;

export const Indicator = typed.indicator;
export type Indicator = z.infer<typeof Indicator>;
export const RecordedIndicator = stored.indicator;

export const MilestonePlan = typed.milestonePlan;
export type MilestonePlan = z.infer<typeof MilestonePlan>;
export const RecordedMilestonePlan = stored.milestonePlan;

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
function proposedChange(pi: typeof PrincipalInvestigator | typeof RecordedPrincipalInvestigator, indicator: typeof Indicator | typeof RecordedIndicator) {
  return z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('principal_investigator'), principalInvestigator: pi }),
    z.strictObject({ kind: z.literal('budget'), budget: Fen }),
    z.strictObject({ kind: z.literal('indicators'), indicators: z.array(indicator).min(1).max(100) }),
  ]);
}
export const ProposedChange = proposedChange(PrincipalInvestigator, Indicator);
export const RecordedProposedChange = proposedChange(RecordedPrincipalInvestigator, RecordedIndicator);
export type ProposedChange = z.infer<typeof ProposedChange>;
