import { assertRole } from '../authorize.js';
import type { Decider } from '../decider.js';
import { domainError } from '../errors.js';
import type { ProjectCommand } from './commands.js';
import { isAdvancementCommand, isCorrectionCommand, isEvidenceCommand, isSolicitationCommand, projectCommandRoles } from './commands.js';
import { decideCorrection, evolveCorrection } from './corrections.js';
import { decideEvidence, evolveEvidence } from './decide-evidence.js';
import { decideAdvancement } from './decide-advancement.js';
import { decidePromotion } from './decide-promotion.js';
import { decideSolicitation } from './decide-solicitation.js';
import type { ProjectEvent } from './events.js';
import { isAdvancementEvent, isCorrectionEvent, isEvidenceEvent, isSolicitationEvent } from './events.js';
import { evolveAdvancement } from './evolve-advancement.js';
import { evolvePromotion } from './evolve-promotion.js';
import { evolveSolicitation } from './evolve-solicitation.js';
import { describeStatus } from './guards.js';
import type { ProjectState } from './state.js';
import { endedStatuses, initialProjectState } from './state.js';

/** While suspended a project only takes these. */
const allowedWhileSuspended: readonly ProjectCommand['type'][] = ['ResumeProject', 'TerminateProject', 'RecordTrackingVisit'];

/**
 * What an ended (closed, rejected, terminated) project still takes: corrections, which an auditor
 * sees as compensating events, and the R2 reassessment that completes an approved refund.
 */
const allowedWhenEnded: readonly ProjectCommand['type'][] = ['RecordSubsidyAssessment'];

function decide(command: ProjectCommand, state: ProjectState): ProjectEvent[] {
  assertRole(command.type, command.actor, projectCommandRoles[command.type]);
  if (command.type !== 'SubmitProject') {
    if (state.status === 'none') throw domainError('PROJECT_NOT_FOUND', 'this project has not been submitted');
    // A document of what happened may be attached whatever the status (see decide-evidence.ts).
    if (isEvidenceCommand(command)) return decideEvidence(command, state);
    const correcting = isCorrectionCommand(command) || allowedWhenEnded.includes(command.type);
    if (endedStatuses.includes(state.status) && !correcting) {
      throw domainError('PROJECT_ENDED', `project ${state.projectId} is ${describeStatus(state.status)} and accepts no further commands`, {
        status: state.status,
      });
    }
    if (state.suspended && !correcting && !allowedWhileSuspended.includes(command.type)) {
      throw domainError('PROJECT_SUSPENDED', `project ${state.projectId} is suspended; resume it first`);
    }
  }
  if (isCorrectionCommand(command)) return decideCorrection(command, state);
  if (isSolicitationCommand(command)) return decideSolicitation(command, state);
  if (isAdvancementCommand(command)) return decideAdvancement(command, state);
  return decidePromotion(command, state);
}

function evolve(state: ProjectState, event: ProjectEvent): ProjectState {
  if (isCorrectionEvent(event)) return evolveCorrection(state, event);
  if (isSolicitationEvent(event)) return evolveSolicitation(state, event);
  if (isAdvancementEvent(event)) return evolveAdvancement(state, event);
  if (isEvidenceEvent(event)) return evolveEvidence(state, event);
  return evolvePromotion(state, event);
}

/**
 * A project (stream `project-<id>`) from proposal to closing, through the three stages
 * solicitation (征集) → advancement (推进) → promotion (推广). Every rule that concerns one
 * project alone lives here: review, conflict of interest, publicity, the task book and its
 * milestones, supervision, changes, the one extension, stage gates, contracts and their bank
 * payments, acceptance, the claim on the one-time R1 grant, and corrections; and the evidence
 * files attached to them. A closed, rejected or terminated project refuses every command but
 * AttachEvidence, corrections (compensating events that name the original) and the R2
 * reassessment of an approved refund.
 */
export const projectDecider: Decider<ProjectCommand, ProjectState, ProjectEvent> = {
  decide,
  evolve,
  initialState: initialProjectState,
};
