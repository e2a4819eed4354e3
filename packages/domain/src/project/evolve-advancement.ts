import { assertNever } from '../authorize.js';
import { cycleEnd } from '../deadlines.js';
import { toShanghaiDate } from '../values/calendar.js';
import type { AdvancementEvent } from './events.js';
import type { MilestoneState, ProjectState } from './state.js';
import { entryOf, withEntry } from '../values/keyed.js';

function withMilestone(state: ProjectState, milestoneId: string, change: Partial<MilestoneState>): ProjectState {
  const milestone = entryOf(state.milestones, milestoneId);
  if (milestone === undefined) return state;
  return { ...state, milestones: withEntry(state.milestones, milestoneId, { ...milestone, ...change }) };
}

export function evolveAdvancement(state: ProjectState, event: AdvancementEvent): ProjectState {
  switch (event.type) {
    case 'MilestoneReported':
      return withMilestone(state, event.data.milestoneId, { status: 'reported', reportedOn: event.data.reportedOn });
    case 'MilestoneAccepted':
      return withMilestone(state, event.data.milestoneId, { status: 'accepted', acceptedOn: toShanghaiDate(event.data.at) });
    case 'MilestoneReturned':
      return withMilestone(state, event.data.milestoneId, { status: 'returned' });
    case 'TrackingVisitRecorded':
      return { ...state, visitIds: [...state.visitIds, event.data.visitId] };
    case 'MidTermCheckRecorded':
      return { ...state, midTermCheckDone: true };
    case 'RectificationOrdered': {
      const { rectificationId, issue, dueOn } = event.data;
      return { ...state, rectifications: withEntry(state.rectifications, rectificationId, { issue, orderedOn: toShanghaiDate(event.data.at), dueOn, status: 'open', completedOn: null }) };
    }
    case 'RectificationCompleted': {
      const rectification = entryOf(state.rectifications, event.data.rectificationId);
      if (rectification === undefined) return state;
      return {
        ...state,
        rectifications: withEntry(state.rectifications, event.data.rectificationId, { ...rectification, status: 'completed', completedOn: event.data.completedOn }),
      };
    }
    case 'ChangeRequested':
      return {
        ...state,
        changes: withEntry(state.changes, event.data.changeId, { change: event.data.change, requestedBy: event.data.by.id, status: 'pending' }),
      };
    case 'ChangeApproved': {
      const previous = entryOf(state.changes, event.data.changeId);
      const changes = previous === undefined ? state.changes : withEntry(state.changes, event.data.changeId, { ...previous, status: 'approved' as const });
      const change = event.data.change;
      switch (change.kind) {
        case 'principal_investigator':
          return { ...state, changes, principalInvestigator: change.principalInvestigator };
        case 'budget':
          return { ...state, changes, taskBook: state.taskBook === null ? null : { ...state.taskBook, approvedFunding: change.budget } };
        case 'indicators':
          return { ...state, changes, taskBook: state.taskBook === null ? null : { ...state.taskBook, indicators: change.indicators } };
        default:
          return assertNever(change);
      }
    }
    case 'ChangeRejected': {
      const previous = entryOf(state.changes, event.data.changeId);
      if (previous === undefined) return state;
      return { ...state, changes: withEntry(state.changes, event.data.changeId, { ...previous, status: 'rejected' }) };
    }
    case 'ExtensionRequested':
      return { ...state, extension: { status: 'pending', months: event.data.months, requestedBy: event.data.by.id, approvedOn: null } };
    case 'ExtensionApproved':
      return {
        ...state,
        extension: state.extension === null ? null : { ...state.extension, status: 'approved', approvedOn: toShanghaiDate(event.data.at) },
        taskBook:
          state.taskBook === null || state.policy === null
            ? state.taskBook
            : { ...state.taskBook, endOn: event.data.newEndOn ?? cycleEnd(state.taskBook.startOn, state.policy.cycleMonths, event.data.months) },
      };
    case 'ExtensionRejected':
      return { ...state, extension: state.extension === null ? null : { ...state.extension, status: 'rejected' } };
    case 'ProjectSuspended':
      return { ...state, suspended: true };
    case 'ProjectResumed':
      return { ...state, suspended: false };
    case 'ProjectTerminated':
      return { ...state, status: 'terminated', suspended: false, endedOn: toShanghaiDate(event.data.at) };
    default:
      return assertNever(event);
  }
}
