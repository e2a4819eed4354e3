import { z } from 'zod';
import { IsoDate } from '../values/calendar.js';
import { Id, RecordedText, recorded } from '../values/common.js';
import { MidTermResult, RecordedProposedChange } from './values.js';

export const advancementEventSchemas = {
  MilestoneReported: z.strictObject({
    ...recorded,
    projectId: Id,
    milestoneId: Id,
    reportedOn: IsoDate,
    summary: RecordedText,
    evidence: z.array(RecordedText),
  }),
  MilestoneAccepted: z.strictObject({ ...recorded, projectId: Id, milestoneId: Id, comment: RecordedText.optional() }),
  MilestoneReturned: z.strictObject({ ...recorded, projectId: Id, milestoneId: Id, reason: RecordedText }),
  TrackingVisitRecorded: z.strictObject({ ...recorded, projectId: Id, visitId: Id, visitedOn: IsoDate, findings: RecordedText }),
  MidTermCheckRecorded: z.strictObject({ ...recorded, projectId: Id, checkedOn: IsoDate, result: MidTermResult, findings: RecordedText }),
  RectificationOrdered: z.strictObject({ ...recorded, projectId: Id, rectificationId: Id, issue: RecordedText, dueOn: IsoDate }),
  RectificationCompleted: z.strictObject({
    ...recorded,
    projectId: Id,
    rectificationId: Id,
    completedOn: IsoDate,
    evidence: RecordedText,
    late: z.boolean(),
  }),
  ChangeRequested: z.strictObject({ ...recorded, projectId: Id, changeId: Id, change: RecordedProposedChange, reason: RecordedText }),
  ChangeApproved: z.strictObject({ ...recorded, projectId: Id, changeId: Id, change: RecordedProposedChange, comment: RecordedText.optional() }),
  ChangeRejected: z.strictObject({ ...recorded, projectId: Id, changeId: Id, comment: RecordedText.optional() }),
  ExtensionRequested: z.strictObject({ ...recorded, projectId: Id, months: z.int().min(1), reason: RecordedText, requestedOn: IsoDate }),
  /**
   * v2: `newEndOn` is the inclusive last day of the extended cycle. It is absent only on events
   * stored as v1 (which held the exclusive anniversary, one day late): readers derive it from the
   * task book's start, the cycle and `months`, exactly as the decider does (`extensionEndOn`).
   */
  ExtensionApproved: z.strictObject({ ...recorded, projectId: Id, months: z.int().min(1), newEndOn: IsoDate.optional(), comment: RecordedText.optional() }),
  ExtensionRejected: z.strictObject({ ...recorded, projectId: Id, comment: RecordedText.optional() }),
  ProjectSuspended: z.strictObject({ ...recorded, projectId: Id, reason: RecordedText }),
  ProjectResumed: z.strictObject({ ...recorded, projectId: Id, reason: RecordedText }),
  ProjectTerminated: z.strictObject({ ...recorded, projectId: Id, reason: RecordedText }),
} as const;
