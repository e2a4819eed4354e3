import { domainError } from '../errors.js';
import type { ProgrammePolicy } from '../policy.js';
import { toShanghaiDate } from '../values/calendar.js';
import type { ProjectStatus, ProjectState } from './state.js';
import type { Stage } from './values.js';

const statusLabels: Record<ProjectStatus, string> = {
  none: 'not submitted',
  submitted: 'submitted',
  in_expert_review: 'in expert review',
  in_publicity: 'in publicity',
  approved: 'approved',
  in_progress: 'in progress',
  acceptance_applied: 'awaiting the acceptance conclusion',
  acceptance_concluded: 'through acceptance',
  closed: 'closed',
  rejected: 'rejected',
  terminated: 'terminated',
  withdrawn: 'withdrawn',
};

export function describeStatus(status: ProjectStatus): string {
  return statusLabels[status];
}

export function requireStatus(state: ProjectState, allowed: readonly ProjectStatus[], action: string): void {
  if (!allowed.includes(state.status)) {
    throw domainError('INVALID_STATE', `project ${state.projectId} is ${describeStatus(state.status)}; it cannot ${action} now`, {
      status: state.status,
      allowed,
    });
  }
}

export function requireStage(state: ProjectState, stage: Stage, action: string): void {
  if (state.stage !== stage) {
    throw domainError('WRONG_STAGE', `project ${state.projectId} is in the ${state.stage} stage; it can ${action} only in the ${stage} stage`, {
      stage: state.stage,
      required: stage,
    });
  }
}

export function policyOf(state: ProjectState): ProgrammePolicy {
  if (state.policy === null) throw domainError('PROJECT_NOT_FOUND', 'this project has not been submitted');
  return state.policy;
}

export function taskBookOf(state: ProjectState): NonNullable<ProjectState['taskBook']> {
  if (state.taskBook === null) {
    throw domainError('INVALID_STATE', `project ${state.projectId} has no signed task book yet`);
  }
  return state.taskBook;
}

/** The business date of a command: the Asia/Shanghai date of the moment it was recorded. */
export function todayOf(command: { at: string }): string {
  return toShanghaiDate(command.at);
}

export function requireFourEyes(actorId: string, otherId: string, what: string): void {
  if (actorId === otherId) {
    throw domainError('FOUR_EYES_VIOLATION', `${what} must be decided by someone other than ${otherId}, who made the request`, {
      actor: actorId,
    });
  }
}
