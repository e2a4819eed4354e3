import { z } from 'zod';
import { IsoDate } from '../values/calendar.js';
import { Id, Text } from '../values/common.js';
import { MidTermResult, ProposedChange } from './values.js';

/** Stage 2, advancement (推进): milestones, supervision, changes, extension, suspension. */
export const advancementCommandSchemas = {
  ReportMilestone: z.strictObject({
    milestoneId: Id,
    reportedOn: IsoDate,
    summary: Text,
    evidence: z.array(Text).min(1).max(50),
  }),
  AcceptMilestone: z.strictObject({ milestoneId: Id, comment: Text.optional() }),
  ReturnMilestone: z.strictObject({ milestoneId: Id, reason: Text }),
  RecordTrackingVisit: z.strictObject({ visitId: Id, visitedOn: IsoDate, findings: Text }),
  RecordMidTermCheck: z.strictObject({ checkedOn: IsoDate, result: MidTermResult, findings: Text }),
  OrderRectification: z.strictObject({ rectificationId: Id, issue: Text, dueOn: IsoDate }),
  CompleteRectification: z.strictObject({ rectificationId: Id, completedOn: IsoDate, evidence: Text }),
  RequestChange: z.strictObject({ changeId: Id, change: ProposedChange, reason: Text }),
  DecideChange: z.strictObject({ changeId: Id, approved: z.boolean(), comment: Text.optional() }),
  RequestExtension: z.strictObject({ months: z.int().min(1).max(60), reason: Text }),
  DecideExtension: z.strictObject({ approved: z.boolean(), comment: Text.optional() }),
  SuspendProject: z.strictObject({ reason: Text }),
  ResumeProject: z.strictObject({ reason: Text }),
  TerminateProject: z.strictObject({ reason: Text }),
  AdvanceStage: z.strictObject({ to: z.literal('promotion') }),
} as const;
