import { assertNever } from '../authorize.js';
import type { SolicitationEvent } from './events.js';
import { toShanghaiDate } from '../values/calendar.js';
import type { MilestoneState, ProjectState } from './state.js';
import { entryOf, withEntry } from '../values/keyed.js';

export function evolveSolicitation(state: ProjectState, event: SolicitationEvent): ProjectState {
  switch (event.type) {
    case 'ProjectSubmitted': {
      const d = event.data;
      return {
        ...state,
        status: 'submitted',
        stage: 'solicitation',
        projectId: d.projectId,
        programmeId: d.programmeId,
        bureauCode: d.bureauCode,
        countyCode: d.countyCode ?? null,
        policy: d.policy,
        title: d.title,
        leadEnterprise: d.leadEnterprise,
        partners: d.partners,
        industry: d.industry,
        county: d.county,
        principalInvestigator: d.principalInvestigator,
        requestedFunding: d.requestedFunding,
        submittedBy: d.by.id,
        submittedOn: d.submittedOn,
      };
    }
    case 'ProjectRecommendedByCounty':
      return { ...state, countyRecommendation: event.data.county };
    case 'FormalReviewPassed':
      return { ...state, status: 'in_expert_review' };
    case 'FormalReviewFailed':
      return { ...state, status: 'rejected', endedOn: toShanghaiDate(event.data.at) };
    case 'ExpertReviewerAssigned': {
      const { reviewerId, name, employerCreditCode } = event.data;
      return { ...state, reviewers: withEntry(state.reviewers, reviewerId, { name, employerCreditCode, conflictDeclared: false, score: null }) };
    }
    case 'ConflictOfInterestDeclared':
    case 'ExpertScoreRecorded': {
      const reviewer = entryOf(state.reviewers, event.data.reviewerId);
      if (reviewer === undefined) return state;
      const updated = event.type === 'ExpertScoreRecorded' ? { ...reviewer, score: event.data.score } : { ...reviewer, conflictDeclared: true };
      return { ...state, reviewers: withEntry(state.reviewers, event.data.reviewerId, updated) };
    }
    case 'PublicityStarted':
      return { ...state, status: 'in_publicity', publicity: { startsOn: event.data.startsOn, endsOn: event.data.endsOn } };
    case 'ObjectionLodged':
      return { ...state, objections: state.objections.with(event.data.objectionId, 'open') };
    case 'ObjectionResolved':
      return { ...state, objections: state.objections.with(event.data.objectionId, event.data.upheld ? 'upheld' : 'dismissed') };
    case 'ProjectApproved':
      return { ...state, status: 'approved', selectionSlot: event.data.slot };
    case 'ProjectRejected':
      return { ...state, status: 'rejected', endedOn: toShanghaiDate(event.data.at) };
    case 'ProposalWithdrawn':
      return { ...state, status: 'withdrawn', endedOn: event.data.withdrawnOn };
    case 'TaskBookSigned': {
      const { startOn, endOn, approvedFunding, indicators, milestones } = event.data;
      const planned: Record<string, MilestoneState> = {};
      for (const m of milestones) planned[m.milestoneId] = { title: m.title, dueOn: m.dueOn, status: 'pending', reportedOn: null, acceptedOn: null };
      return { ...state, status: 'in_progress', taskBook: { startOn, endOn, originalEndOn: endOn, approvedFunding, indicators }, milestones: planned };
    }
    case 'StageAdvanced':
      return { ...state, stage: event.data.to };
    default:
      return assertNever(event);
  }
}
