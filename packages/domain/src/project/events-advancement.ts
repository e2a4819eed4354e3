import { z } from 'zod';
import { IsoDate } from '../values/calendar.js';
import { Id, Text, recorded } from '../values/common.js';
import { MidTermResult, ProposedChange } from './values.js';

export const advancementEventSchemas = {
  MilestoneReported: z.strictObject({
    ...recorded,
    projectId: Id,
    milestoneId: Id,
    reportedOn: IsoDate,
    summary: Text,
    evidence: z.array(Text),
  }),
  MilestoneAccepted: z.strictObject({ ...recorded, projectId: Id, milestoneId: Id, comment: Text.optional() }),
  MilestoneReturned: z.strictObject({ ...recorded, projectId: Id, milestoneId: Id, reason: Text }),
  TrackingVisitRecorded: z.strictObject({ ...recorded, projectId: Id, visitId: Id, visitedOn: IsoDate, findings: Text }),
  MidTermCheckRecorded: z.strictObject({ ...recorded, projectId: Id, checkedOn: IsoDate, result: MidTermResult, findings: Text }),
  RectificationOrdered: z.strictObject({ ...recorded, projectId: Id, rectificationId: Id, issue: Text, dueOn: IsoDate }),
  RectificationCompleted: z.strictObject({
    ...recorded,
    projectId: Id,
    rectificationId: Id,
    completedOn: IsoDate,
    evidence: Text,
    late: z.boolean(),
  }),
  ChangeRequested: z.strictObject({ ...recorded, projectId: Id, changeId: Id, change: ProposedChange, reason: Text }),
  ChangeApproved: z.strictObject({ ...recorded, projectId: Id, changeId: Id, change: ProposedChange, comment: Text.optional() }),
  ChangeRejected: z.strictObject({ ...recorded, projectId: Id, changeId: Id, comment: Text.optional() }),
  ExtensionRequested: z.strictObject({ ...recorded, projectId: Id, months: z.int().min(1), reason: Text, requestedOn: IsoDate }),
  /**
   * v2: `newEndOn` is the inclusive last day of the extended cycle. It is absent only on events
   * stored as v1 (which held the exclusive anniversary, one day late): readers derive it from the
   * task book's start, the cycle and `months`, exactly as the decider does (`extensionEndOn`).
   */
  ExtensionApproved: z.strictObject({ ...recorded, projectId: Id, months: z.int().min(1), newEndOn: IsoDate.optional(), comment: Text.optional() }),
  ExtensionRejected: z.strictObject({ ...recorded, projectId: Id, comment: Text.optional() }),
  ProjectSuspended: z.strictObject({ ...recorded, projectId: Id, reason: Text }),
  ProjectResumed: z.strictObject({ ...recorded, projectId: Id, reason: Text }),
  ProjectTerminated: z.strictObject({ ...recorded, projectId: Id, reason: Text }),
} as const;
