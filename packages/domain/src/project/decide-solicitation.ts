import { assertNever } from '../authorize.js';
import { publicityEnd, cycleEnd } from '../deadlines.js';
import { domainError } from '../errors.js';
import { compareDates } from '../values/calendar.js';
import type { SolicitationCommand } from './commands.js';
import type { ProjectEvent } from './events.js';
import { describeStatus, policyOf, requireFourEyes, requireStatus, todayOf } from './guards.js';
import type { ProjectState, ReviewerState } from './state.js';
import { entryOf } from '../values/keyed.js';
import { bureauLevel, provinceOf } from '../bureau/codes.js';

function reviewerOf(state: ProjectState, reviewerId: string): ReviewerState {
  const reviewer = entryOf(state.reviewers, reviewerId);
  if (reviewer === undefined) {
    throw domainError('REVIEWER_NOT_ASSIGNED', `${reviewerId} is not an expert reviewer assigned to project ${state.projectId}`);
  }
  return reviewer;
}

function submit(command: Extract<SolicitationCommand, { type: 'SubmitProject' }>): ProjectEvent[] {
  const { programme, ...proposal } = command.data;
  const today = todayOf(command);
  const window = programme.solicitation;
  if (
    window === null ||
    window.closedOn !== null ||
    compareDates(today, window.opensOn) < 0 ||
    compareDates(today, window.closesOn) > 0
  ) {
    const when = window === null ? 'has not opened solicitation' : `takes proposals from ${window.opensOn} to ${window.closesOn}${window.closedOn === null ? '' : ` and closed on ${window.closedOn}`}`;
    throw domainError('SOLICITATION_CLOSED', `programme ${programme.programmeId} ${when}; ${today} is outside the window`);
  }
  if (programme.focusIndustries.length > 0 && !programme.focusIndustries.includes(proposal.industry)) {
    throw domainError(
      'INDUSTRY_NOT_IN_FOCUS',
      `programme ${programme.programmeId} funds ${programme.focusIndustries.join(', ')}; "${proposal.industry}" is not one of them`,
    );
  }
  if (proposal.countyCode !== undefined && (bureauLevel(proposal.countyCode) !== 'county' || provinceOf(proposal.countyCode) !== provinceOf(programme.bureauCode))) {
    throw domainError(
      'COUNTY_NOT_UNDER_BUREAU',
      `${proposal.countyCode} 不是 ${programme.bureauCode} 所辖的县（区） (the county must be a county-level bureau under the programme's bureau)`,
      { countyCode: proposal.countyCode, bureauCode: programme.bureauCode },
    );
  }
  if (proposal.partners.some((partner) => partner.creditCode === proposal.leadEnterprise.creditCode)) {
    throw domainError('LEAD_IS_PARTNER', `the lead enterprise ${proposal.leadEnterprise.creditCode} cannot also be listed as a partner`);
  }
  return [
    {
      type: 'ProjectSubmitted',
      data: {
        by: command.actor,
        at: command.at,
        ...proposal,
        programmeId: programme.programmeId,
        bureauCode: programme.bureauCode,
        policy: programme.policy,
        submittedOn: today,
      },
    },
  ];
}

/** Solicitation (征集): submission, county recommendation, formal and expert review, publicity, selection, task book. */
export function decideSolicitation(command: SolicitationCommand, state: ProjectState): ProjectEvent[] {
  if (command.type === 'SubmitProject') {
    if (state.status !== 'none') throw domainError('ALREADY_EXISTS', `project ${state.projectId} has already been submitted`);
    return submit(command);
  }
  const recorded = { by: command.actor, at: command.at, projectId: state.projectId };
  const today = todayOf(command);

  switch (command.type) {
    case 'RecommendProject':
      requireStatus(state, ['submitted'], 'be recommended by a county');
      if (state.countyRecommendation !== null) {
        throw domainError('ALREADY_EXISTS', `project ${state.projectId} was already recommended by ${state.countyRecommendation}`);
      }
      return [{ type: 'ProjectRecommendedByCounty', data: { ...recorded, ...command.data } }];

    case 'RecordFormalReview': {
      requireStatus(state, ['submitted'], 'take a formal review');
      const { passed, reasons } = command.data;
      return passed
        ? [{ type: 'FormalReviewPassed', data: { ...recorded, reasons } }]
        : [{ type: 'FormalReviewFailed', data: { ...recorded, reasons } }];
    }

    case 'AssignExpertReviewer':
      requireStatus(state, ['in_expert_review'], 'have expert reviewers assigned');
      if (entryOf(state.reviewers, command.data.reviewerId) !== undefined) {
        throw domainError('ALREADY_EXISTS', `${command.data.reviewerId} is already a reviewer of project ${state.projectId}`);
      }
      return [{ type: 'ExpertReviewerAssigned', data: { ...recorded, ...command.data } }];

    case 'DeclareConflictOfInterest': {
      requireStatus(state, ['in_expert_review'], 'take declarations of conflict');
      const reviewer = reviewerOf(state, command.actor.id);
      if (reviewer.score !== null) {
        throw domainError('ALREADY_SCORED', `${command.actor.id} has already scored project ${state.projectId}`);
      }
      if (reviewer.conflictDeclared) return [];
      return [{ type: 'ConflictOfInterestDeclared', data: { ...recorded, reviewerId: command.actor.id, reason: command.data.reason } }];
    }

    case 'ScoreProject': {
      requireStatus(state, ['in_expert_review'], 'be scored');
      const reviewerId = command.actor.id;
      const reviewer = reviewerOf(state, reviewerId);
      if (reviewer.conflictDeclared) {
        throw domainError('CONFLICT_OF_INTEREST', `${reviewerId} declared a conflict of interest with project ${state.projectId} and cannot score it`);
      }
      const parties = [state.leadEnterprise, ...state.partners].flatMap((org) => (org === null ? [] : [org.creditCode]));
      if (parties.includes(reviewer.employerCreditCode)) {
        throw domainError(
          'CONFLICT_OF_INTEREST',
          `${reviewerId} is employed by ${reviewer.employerCreditCode}, a party to project ${state.projectId}, and cannot score it`,
        );
      }
      if (reviewer.score !== null) {
        throw domainError('ALREADY_SCORED', `${reviewerId} has already scored project ${state.projectId} (${reviewer.score})`);
      }
      return [{ type: 'ExpertScoreRecorded', data: { ...recorded, reviewerId, ...command.data } }];
    }

    case 'StartPublicity': {
      requireStatus(state, ['in_expert_review'], 'go to publicity');
      if (!Object.values(state.reviewers).some((reviewer) => reviewer.score !== null)) {
        throw domainError('NO_EXPERT_SCORES', `project ${state.projectId} has no expert score yet; it cannot go to publicity`);
      }
      const { startsOn } = command.data;
      if (compareDates(startsOn, state.submittedOn) < 0) {
        throw domainError(
          'PUBLICITY_BEFORE_SUBMISSION',
          `the publicity (公示) of project ${state.projectId} cannot start on ${startsOn}, before the proposal was submitted on ${state.submittedOn}`,
          { startsOn, submittedOn: state.submittedOn },
        );
      }
      if (compareDates(startsOn, today) < 0) {
        throw domainError(
          'PUBLICITY_STARTS_IN_PAST',
          `the publicity (公示) of project ${state.projectId} cannot start on ${startsOn}, before today ${today}: the whole objection period must lie ahead`,
          { startsOn, today },
        );
      }
      const endsOn = publicityEnd(startsOn, policyOf(state).publicityDays);
      return [{ type: 'PublicityStarted', data: { ...recorded, startsOn, endsOn } }];
    }

    case 'LodgeObjection': {
      requireStatus(state, ['in_publicity'], 'receive objections');
      const { objectionId, lodgedOn } = command.data;
      const publicity = state.publicity;
      if (publicity === null || compareDates(lodgedOn, publicity.startsOn) < 0 || compareDates(lodgedOn, publicity.endsOn) > 0) {
        throw domainError(
          'PUBLICITY_PERIOD_OVER',
          `objections to project ${state.projectId} are taken from ${publicity?.startsOn ?? '?'} to ${publicity?.endsOn ?? '?'}; ${lodgedOn} is outside that period`,
        );
      }
      if (state.objections.has(objectionId)) {
        throw domainError('ALREADY_EXISTS', `objection ${objectionId} is already recorded on project ${state.projectId}`);
      }
      return [{ type: 'ObjectionLodged', data: { ...recorded, ...command.data } }];
    }

    case 'ResolveObjection': {
      requireStatus(state, ['in_publicity'], 'resolve objections');
      const objection = state.objections.get(command.data.objectionId);
      if (objection === undefined) {
        throw domainError('OBJECTION_NOT_FOUND', `project ${state.projectId} has no objection ${command.data.objectionId}`);
      }
      if (objection !== 'open') {
        throw domainError('INVALID_STATE', `objection ${command.data.objectionId} was already resolved (${objection})`);
      }
      return [{ type: 'ObjectionResolved', data: { ...recorded, ...command.data } }];
    }

    case 'ApproveProject': {
      requireStatus(state, ['in_publicity'], 'be approved');
      const endsOn = state.publicity?.endsOn ?? today;
      if (compareDates(today, endsOn) <= 0) {
        throw domainError('PUBLICITY_NOT_OVER', `the publicity of project ${state.projectId} runs until ${endsOn}; it can be approved from the next day`);
      }
      const objections = state.objections.entries();
      const open = objections.filter(([, status]) => status === 'open').map(([id]) => id);
      if (open.length > 0) {
        throw domainError('OBJECTION_UNRESOLVED', `project ${state.projectId} has unresolved objections: ${open.join(', ')}`, { objections: open });
      }
      const upheld = objections.filter(([, status]) => status === 'upheld').map(([id]) => id);
      if (upheld.length > 0) {
        throw domainError('OBJECTION_UPHELD', `objections ${upheld.join(', ')} to project ${state.projectId} were upheld; it can only be rejected`);
      }
      requireFourEyes(command.actor.id, state.submittedBy, `the selection of project ${state.projectId}`);
      const { selection, comment } = command.data;
      if (selection.programmeId !== state.programmeId) {
        throw domainError('PROGRAMME_MISMATCH', `project ${state.projectId} belongs to programme ${state.programmeId}, not ${selection.programmeId}`);
      }
      return [{ type: 'ProjectApproved', data: { ...recorded, ...selection, approvedOn: today, comment } }];
    }

    case 'WithdrawProposal': {
      if (state.status === 'approved' || state.status === 'in_progress' || state.status === 'acceptance_applied' || state.status === 'acceptance_concluded') {
        throw domainError(
          'PROPOSAL_ALREADY_APPROVED',
          `项目 ${state.projectId} 已立项，不能撤回申报；请终止项目 (project ${state.projectId} was approved: terminate it instead of withdrawing the proposal)`,
          { status: state.status },
        );
      }
      if (state.status !== 'submitted' && state.status !== 'in_expert_review' && state.status !== 'in_publicity') {
        throw domainError('INVALID_STATE', `项目 ${state.projectId} 当前状态为 ${describeStatus(state.status)}，不能撤回申报 (project ${state.projectId} is ${describeStatus(state.status)}; only a proposal not yet decided can be withdrawn)`, {
          status: state.status,
          allowed: ['submitted', 'in_expert_review', 'in_publicity'],
        });
      }
      const { reason, corrects } = command.data;
      if (corrects?.type !== 'ProjectSubmitted') {
        throw domainError('INVALID_STATE', `撤回申报须指明被更正的 ProjectSubmitted 事件 (a withdrawal names the submission it corrects)`, { corrects: corrects ?? null });
      }
      return [
        {
          type: 'ProposalWithdrawn',
          data: { ...recorded, programmeId: state.programmeId, withdrawnOn: today, previousStatus: state.status, reason, corrects },
        },
      ];
    }

    case 'RejectProject':
      requireStatus(state, ['submitted', 'in_expert_review', 'in_publicity'], 'be rejected');
      return [{ type: 'ProjectRejected', data: { ...recorded, reason: command.data.reason } }];

    case 'SignTaskBook': {
      requireStatus(state, ['approved'], 'sign a task book');
      const { startOn, milestones } = command.data;
      const endOn = cycleEnd(startOn, policyOf(state).cycleMonths);
      const outside = milestones.filter((m) => compareDates(m.dueOn, startOn) < 0 || compareDates(m.dueOn, endOn) > 0);
      if (outside.length > 0) {
        throw domainError(
          'MILESTONE_OUTSIDE_CYCLE',
          `milestones ${outside.map((m) => `${m.milestoneId} (${m.dueOn})`).join(', ')} fall outside the cycle ${startOn} to ${endOn}`,
        );
      }
      const ids = milestones.map((m) => m.milestoneId);
      if (new Set(ids).size !== ids.length) throw domainError('ALREADY_EXISTS', 'each milestone of the task book needs its own id');
      return [
        { type: 'TaskBookSigned', data: { ...recorded, ...command.data, endOn } },
        { type: 'StageAdvanced', data: { ...recorded, from: 'solicitation', to: 'advancement' } },
      ];
    }

    default:
      return assertNever(command);
  }
}
