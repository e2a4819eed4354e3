import { z } from 'zod';
import { RecordedIndustry } from '../programme/commands.js';
import { ProgrammePolicy } from '../policy.js';
import { IsoDate } from '../values/calendar.js';
import { Id, RecordedName, RecordedText, recorded } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';
import { BureauCode } from '../bureau/codes.js';
import { Corrects } from '../values/corrects.js';
import { RecordedIndicator, RecordedMilestonePlan, RecordedOrganisation, RecordedPrincipalInvestigator, Stage } from './values.js';

export const solicitationEventSchemas = {
  /**
   * v2: requested funding in fen (v1 carried `requestedFundingYuan`; see upcasting.ts). v4: the
   * programme's `bureauCode` (before: LEGACY_BUREAU_CODE) and the applicant's `countyCode` (optional).
   */
  ProjectSubmitted: z.strictObject({
    ...recorded,
    projectId: Id,
    programmeId: Id,
    bureauCode: BureauCode,
    countyCode: BureauCode.optional(),
    policy: ProgrammePolicy,
    title: RecordedName,
    leadEnterprise: RecordedOrganisation,
    partners: z.array(RecordedOrganisation),
    industry: RecordedIndustry,
    county: RecordedName,
    principalInvestigator: RecordedPrincipalInvestigator,
    keyTechnologies: z.array(RecordedText),
    requestedFunding: Fen,
    submittedOn: IsoDate,
  }),
  ProjectRecommendedByCounty: z.strictObject({ ...recorded, projectId: Id, county: RecordedName, comment: RecordedText.optional() }),
  FormalReviewPassed: z.strictObject({ ...recorded, projectId: Id, reasons: z.array(RecordedText) }),
  FormalReviewFailed: z.strictObject({ ...recorded, projectId: Id, reasons: z.array(RecordedText).min(1) }),
  ExpertReviewerAssigned: z.strictObject({
    ...recorded,
    projectId: Id,
    reviewerId: z.string().min(1),
    name: RecordedName,
    employerCreditCode: CreditCode,
  }),
  ConflictOfInterestDeclared: z.strictObject({ ...recorded, projectId: Id, reviewerId: z.string().min(1), reason: RecordedText }),
  ExpertScoreRecorded: z.strictObject({
    ...recorded,
    projectId: Id,
    reviewerId: z.string().min(1),
    score: z.int().min(0).max(100),
    comment: RecordedText.optional(),
  }),
  PublicityStarted: z.strictObject({ ...recorded, projectId: Id, startsOn: IsoDate, endsOn: IsoDate }),
  ObjectionLodged: z.strictObject({ ...recorded, projectId: Id, objectionId: Id, lodgedOn: IsoDate, summary: RecordedText }),
  ObjectionResolved: z.strictObject({ ...recorded, projectId: Id, objectionId: Id, upheld: z.boolean(), resolution: RecordedText }),
  ProjectApproved: z.strictObject({
    ...recorded,
    projectId: Id,
    programmeId: Id,
    slot: z.int().min(1),
    quota: z.int().min(1),
    approvedOn: IsoDate,
    comment: RecordedText.optional(),
  }),
  ProjectRejected: z.strictObject({ ...recorded, projectId: Id, reason: RecordedText }),
  /** Correction: the proposal is withdrawn before approval; `corrects` names its ProjectSubmitted. */
  ProposalWithdrawn: z.strictObject({
    ...recorded,
    projectId: Id,
    programmeId: Id,
    withdrawnOn: IsoDate,
    /** The status it was withdrawn from (submitted, in_expert_review or in_publicity). */
    previousStatus: z.enum(['submitted', 'in_expert_review', 'in_publicity']),
    reason: RecordedText,
    corrects: Corrects,
  }),
  TaskBookSigned: z.strictObject({
    ...recorded,
    projectId: Id,
    startOn: IsoDate,
    endOn: IsoDate,
    approvedFunding: Fen,
    milestones: z.array(RecordedMilestonePlan),
    indicators: z.array(RecordedIndicator),
  }),
  StageAdvanced: z.strictObject({ ...recorded, projectId: Id, from: Stage, to: Stage }),
} as const;
