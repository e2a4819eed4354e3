import { z } from 'zod';
import { Industry } from '../programme/commands.js';
import { ProgrammeSnapshot } from '../programme/state.js';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, Text } from '../values/common.js';
import { lineText } from '../values/text.js';
import { BureauCode } from '../bureau/codes.js';
import { CreditCode } from '../values/credit-code.js';
import { Corrects } from '../values/corrects.js';
import { Fen, PositiveFen } from '../values/fen.js';
import { Indicator, MilestonePlan, Organisation, PrincipalInvestigator } from './values.js';

/** Stage 1, solicitation (征集): from proposal to approval and the signed task book. */
export const solicitationCommandSchemas = {
  /** `programme` is read from the programme stream by the application service, not sent by the user. */
  SubmitProject: z.strictObject({
    projectId: Id,
    programme: ProgrammeSnapshot,
    title: Name,
    leadEnterprise: Organisation,
    partners: z.array(Organisation).max(50).default([]),
    industry: Industry,
    county: Name,
    /** The applicant's county bureau (a county-level bureau under the programme's), which may recommend it. */
    countyCode: BureauCode.optional(),
    principalInvestigator: PrincipalInvestigator,
    keyTechnologies: z.array(Text).min(1).max(50),
    requestedFunding: PositiveFen,
  }),
  RecommendProject: z.strictObject({ county: Name, comment: Text.optional() }),
  RecordFormalReview: z
    .strictObject({ passed: z.boolean(), reasons: z.array(Text).max(50).default([]) })
    .refine((review) => review.passed || review.reasons.length > 0, {
      message: 'a failed formal review needs at least one reason',
      path: ['reasons'],
    }),
  AssignExpertReviewer: z.strictObject({ reviewerId: lineText(200), name: Name, employerCreditCode: CreditCode }),
  DeclareConflictOfInterest: z.strictObject({ reason: Text }),
  ScoreProject: z.strictObject({ score: z.int().min(0).max(100), comment: Text.optional() }),
  StartPublicity: z.strictObject({ startsOn: IsoDate }),
  LodgeObjection: z.strictObject({ objectionId: Id, lodgedOn: IsoDate, summary: Text }),
  ResolveObjection: z.strictObject({ objectionId: Id, upheld: z.boolean(), resolution: Text }),
  /** `selection` is the place reserved on the programme stream (SelectionSlotReserved) just before. */
  ApproveProject: z.strictObject({
    selection: z.strictObject({ programmeId: Id, slot: z.int().min(1), quota: z.int().min(1) }),
    comment: Text.optional(),
  }),
  RejectProject: z.strictObject({ reason: Text }),
  /**
   * Withdraws a proposal before approval (after it, TerminateProject). `corrects` is its
   * ProjectSubmitted, found by the application service; a place of the quota it held (a two-step
   * reservation of earlier versions) is given back in the same atomic append (`decideProposalWithdrawal`).
   */
  WithdrawProposal: z.strictObject({ reason: Text, corrects: Corrects.optional() }),
  SignTaskBook: z.strictObject({
    startOn: IsoDate,
    approvedFunding: Fen,
    milestones: z.array(MilestonePlan).min(1).max(100),
    indicators: z.array(Indicator).min(1).max(100),
  }),
} as const;
