import { assertNever } from '../authorize.js';
import { cycleEnd, extensionRequestDeadline } from '../deadlines.js';
import { domainError } from '../errors.js';
import { compareDates } from '../values/calendar.js';
import type { AdvancementCommand } from './commands.js';
import type { ProjectEvent } from './events.js';
import { policyOf, requireFourEyes, requireStage, requireStatus, taskBookOf, todayOf } from './guards.js';
import type { MilestoneState, ProjectState } from './state.js';
import { openRectifications } from './state.js';
import { entryOf } from '../values/keyed.js';

/** Supervision may go on until acceptance is concluded. */
const supervised = ['in_progress', 'acceptance_applied'] as const;

function milestoneOf(state: ProjectState, milestoneId: string): MilestoneState {
  const milestone = entryOf(state.milestones, milestoneId);
  if (milestone === undefined) {
    throw domainError('MILESTONE_NOT_FOUND', `project ${state.projectId} has no milestone ${milestoneId} in its task book`);
  }
  return milestone;
}

function requireMilestoneStatus(state: ProjectState, milestoneId: string, allowed: readonly MilestoneState['status'][], action: string): void {
  const milestone = milestoneOf(state, milestoneId);
  if (!allowed.includes(milestone.status)) {
    throw domainError('INVALID_STATE', `milestone ${milestoneId} of project ${state.projectId} is ${milestone.status}; it cannot ${action}`);
  }
}

/** Advancement (推进): milestones, tracking, mid-term check, rectification, changes, extension, suspension, stage gate. */
export function decideAdvancement(command: AdvancementCommand, state: ProjectState): ProjectEvent[] {
  const recorded = { by: command.actor, at: command.at, projectId: state.projectId };
  const today = todayOf(command);

  switch (command.type) {
    case 'ReportMilestone':
      requireStatus(state, ['in_progress'], 'report milestones');
      requireStage(state, 'advancement', 'report milestones');
      requireMilestoneStatus(state, command.data.milestoneId, ['pending', 'returned'], 'be reported again');
      return [{ type: 'MilestoneReported', data: { ...recorded, ...command.data } }];

    case 'AcceptMilestone':
      requireStatus(state, ['in_progress'], 'accept milestones');
      requireMilestoneStatus(state, command.data.milestoneId, ['reported'], 'be accepted before it is reported');
      return [{ type: 'MilestoneAccepted', data: { ...recorded, ...command.data } }];

    case 'ReturnMilestone':
      requireStatus(state, ['in_progress'], 'return milestones');
      requireMilestoneStatus(state, command.data.milestoneId, ['reported'], 'be returned before it is reported');
      return [{ type: 'MilestoneReturned', data: { ...recorded, ...command.data } }];

    case 'RecordTrackingVisit':
      requireStatus(state, supervised, 'record tracking visits');
      if (state.visitIds.includes(command.data.visitId)) {
        throw domainError('ALREADY_EXISTS', `visit ${command.data.visitId} is already recorded on project ${state.projectId}`);
      }
      return [{ type: 'TrackingVisitRecorded', data: { ...recorded, ...command.data } }];

    case 'RecordMidTermCheck':
      requireStatus(state, ['in_progress'], 'take a mid-term check');
      requireStage(state, 'advancement', 'take a mid-term check');
      if (state.midTermCheckDone) {
        throw domainError('MID_TERM_CHECK_ALREADY_DONE', `project ${state.projectId} has already had its mid-term check`);
      }
      return [{ type: 'MidTermCheckRecorded', data: { ...recorded, ...command.data } }];

    case 'OrderRectification': {
      requireStatus(state, supervised, 'be ordered to rectify');
      const { rectificationId, dueOn } = command.data;
      if (entryOf(state.rectifications, rectificationId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `rectification ${rectificationId} is already recorded on project ${state.projectId}`);
      }
      if (compareDates(dueOn, today) < 0) {
        throw domainError('INVALID_DATE_RANGE', `a rectification cannot be due (${dueOn}) before the day it is ordered (${today})`);
      }
      return [{ type: 'RectificationOrdered', data: { ...recorded, ...command.data } }];
    }

    case 'CompleteRectification': {
      requireStatus(state, supervised, 'complete rectifications');
      const rectification = entryOf(state.rectifications, command.data.rectificationId);
      if (rectification === undefined) {
        throw domainError('RECTIFICATION_NOT_FOUND', `project ${state.projectId} has no rectification ${command.data.rectificationId}`);
      }
      if (rectification.status !== 'open') {
        throw domainError('INVALID_STATE', `rectification ${command.data.rectificationId} was already completed on ${rectification.completedOn ?? '?'}`);
      }
      const late = compareDates(command.data.completedOn, rectification.dueOn) > 0;
      return [{ type: 'RectificationCompleted', data: { ...recorded, ...command.data, late } }];
    }

    case 'RequestChange':
      requireStatus(state, ['in_progress'], 'request changes');
      if (entryOf(state.changes, command.data.changeId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `change ${command.data.changeId} is already recorded on project ${state.projectId}`);
      }
      return [{ type: 'ChangeRequested', data: { ...recorded, ...command.data } }];

    case 'DecideChange': {
      requireStatus(state, ['in_progress'], 'decide changes');
      const { changeId, approved, comment } = command.data;
      const change = entryOf(state.changes, changeId);
      if (change === undefined) throw domainError('CHANGE_NOT_FOUND', `project ${state.projectId} has no change request ${changeId}`);
      if (change.status !== 'pending') throw domainError('CHANGE_NOT_PENDING', `change ${changeId} was already ${change.status}`);
      requireFourEyes(command.actor.id, change.requestedBy, `change ${changeId}`);
      return approved
        ? [{ type: 'ChangeApproved', data: { ...recorded, changeId, change: change.change, comment } }]
        : [{ type: 'ChangeRejected', data: { ...recorded, changeId, comment } }];
    }

    case 'RequestExtension': {
      requireStatus(state, ['in_progress'], 'request an extension');
      const policy = policyOf(state);
      const { endOn } = taskBookOf(state);
      if (state.extension !== null) {
        throw domainError('EXTENSION_ALREADY_USED', `project ${state.projectId} has already requested its one extension (${state.extension.status})`);
      }
      if (command.data.months > policy.extensionMaxMonths) {
        throw domainError('EXTENSION_TOO_LONG', `an extension may be at most ${policy.extensionMaxMonths} months; ${command.data.months} were requested`);
      }
      const deadline = extensionRequestDeadline(endOn, policy.extensionRequestLeadMonths);
      if (compareDates(today, deadline) > 0) {
        throw domainError(
          'EXTENSION_REQUEST_TOO_LATE',
          `an extension must be requested at least ${policy.extensionRequestLeadMonths} months before the end date ${endOn}, i.e. by ${deadline}`,
          { deadline },
        );
      }
      return [{ type: 'ExtensionRequested', data: { ...recorded, ...command.data, requestedOn: today } }];
    }

    case 'DecideExtension': {
      requireStatus(state, ['in_progress'], 'decide an extension');
      const extension = state.extension;
      if (extension === null || extension.status !== 'pending') {
        throw domainError('EXTENSION_NOT_PENDING', `project ${state.projectId} has no extension request awaiting a decision`);
      }
      requireFourEyes(command.actor.id, extension.requestedBy, `the extension of project ${state.projectId}`);
      const { comment } = command.data;
      if (!command.data.approved) return [{ type: 'ExtensionRejected', data: { ...recorded, comment } }];
      const { startOn } = taskBookOf(state);
      const newEndOn = cycleEnd(startOn, policyOf(state).cycleMonths, extension.months);
      return [{ type: 'ExtensionApproved', data: { ...recorded, months: extension.months, newEndOn, comment } }];
    }

    case 'SuspendProject':
      requireStatus(state, ['approved', 'in_progress'], 'be suspended');
      return [{ type: 'ProjectSuspended', data: { ...recorded, ...command.data } }];

    case 'ResumeProject':
      if (!state.suspended) throw domainError('INVALID_STATE', `project ${state.projectId} is not suspended`);
      return [{ type: 'ProjectResumed', data: { ...recorded, ...command.data } }];

    case 'TerminateProject':
      requireStatus(state, ['approved', 'in_progress', 'acceptance_applied'], 'be terminated');
      return [{ type: 'ProjectTerminated', data: { ...recorded, ...command.data } }];

    case 'AdvanceStage': {
      requireStatus(state, ['in_progress'], 'advance its stage');
      requireStage(state, 'advancement', 'move on to promotion');
      const unaccepted = Object.entries(state.milestones)
        .filter(([, milestone]) => milestone.status !== 'accepted')
        .map(([id]) => id);
      if (unaccepted.length > 0) {
        throw domainError('MILESTONES_NOT_ACCEPTED', `project ${state.projectId} still has milestones not accepted: ${unaccepted.join(', ')}`, {
          milestones: unaccepted,
        });
      }
      const open = openRectifications(state);
      if (open.length > 0) {
        throw domainError('RECTIFICATION_OPEN', `project ${state.projectId} has open rectifications: ${open.join(', ')}`, { rectifications: open });
      }
      return [{ type: 'StageAdvanced', data: { ...recorded, from: 'advancement', to: command.data.to } }];
    }

    default:
      return assertNever(command);
  }
}
