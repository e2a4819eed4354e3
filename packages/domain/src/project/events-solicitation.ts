import { z } from 'zod';
import { Industry } from '../programme/commands.js';
import { ProgrammePolicy } from '../policy.js';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, Text, recorded } from '../values/common.js';
import { CreditCode } from '../values/credit-code.js';
import { Fen } from '../values/fen.js';
import { Indicator, MilestonePlan, Organisation, PrincipalInvestigator, Stage } from './values.js';

export const solicitationEventSchemas = {
  /** v2: requested funding in fen (v1 carried `requestedFundingYuan`; see upcasting.ts). */
  ProjectSubmitted: z.strictObject({
    ...recorded,
    projectId: Id,
    programmeId: Id,
    policy: ProgrammePolicy,
    title: Name,
    leadEnterprise: Organisation,
    partners: z.array(Organisation),
    industry: Industry,
    county: Name,
    principalInvestigator: PrincipalInvestigator,
    keyTechnologies: z.array(Text),
    requestedFunding: Fen,
    submittedOn: IsoDate,
  }),
  ProjectRecommendedByCounty: z.strictObject({ ...recorded, projectId: Id, county: Name, comment: Text.optional() }),
  FormalReviewPassed: z.strictObject({ ...recorded, projectId: Id, reasons: z.array(Text) }),
  FormalReviewFailed: z.strictObject({ ...recorded, projectId: Id, reasons: z.array(Text).min(1) }),
  ExpertReviewerAssigned: z.strictObject({
    ...recorded,
    projectId: Id,
    reviewerId: z.string().min(1),
    name: Name,
    employerCreditCode: CreditCode,
  }),
  ConflictOfInterestDeclared: z.strictObject({ ...recorded, projectId: Id, reviewerId: z.string().min(1), reason: Text }),
  ExpertScoreRecorded: z.strictObject({
    ...recorded,
    projectId: Id,
    reviewerId: z.string().min(1),
    score: z.int().min(0).max(100),
    comment: Text.optional(),
  }),
  PublicityStarted: z.strictObject({ ...recorded, projectId: Id, startsOn: IsoDate, endsOn: IsoDate }),
  ObjectionLodged: z.strictObject({ ...recorded, projectId: Id, objectionId: Id, lodgedOn: IsoDate, summary: Text }),
  ObjectionResolved: z.strictObject({ ...recorded, projectId: Id, objectionId: Id, upheld: z.boolean(), resolution: Text }),
  ProjectApproved: z.strictObject({
    ...recorded,
    projectId: Id,
    programmeId: Id,
    slot: z.int().min(1),
    quota: z.int().min(1),
    approvedOn: IsoDate,
    comment: Text.optional(),
  }),
  ProjectRejected: z.strictObject({ ...recorded, projectId: Id, reason: Text }),
  TaskBookSigned: z.strictObject({
    ...recorded,
    projectId: Id,
    startOn: IsoDate,
    endOn: IsoDate,
    approvedFunding: Fen,
    milestones: z.array(MilestonePlan),
    indicators: z.array(Indicator),
  }),
  StageAdvanced: z.strictObject({ ...recorded, projectId: Id, from: Stage, to: Stage }),
} as const;
