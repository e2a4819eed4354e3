import { domainError } from '../errors.js';
import { isRepeatOf, requireEvidenceRole, type EvidenceRecord } from '../evidence/evidence.js';
import { entryOf, withEntry } from '../values/keyed.js';
import type { EvidenceCommand } from './commands.js';
import type { EvidenceEvent, ProjectEvent } from './events.js';
import type { ProjectState } from './state.js';

/**
 * Evidence of a project (issue 19). A file may be attached in every status after submission —
 * while suspended, and after the project is closed, rejected or terminated too: a document records
 * what happened (the signed acceptance report often arrives after closing, and paper archives are
 * digitised years later); attaching one changes no rule of the lifecycle. What it is attached to
 * must exist: a milestone of the task book, a bank payment recorded on the project, an acceptance
 * applied for.
 */
export function decideEvidence(command: EvidenceCommand, state: ProjectState): ProjectEvent[] {
  const { attachedTo, evidenceId } = command.data;
  requireEvidenceRole(attachedTo.kind, command.actor.role);
  switch (attachedTo.kind) {
    case 'project':
    case 'acceptance':
      if (attachedTo.id !== state.projectId) {
        throw domainError('PROJECT_NOT_FOUND', `${attachedTo.id} 不是本项目 (the ${attachedTo.kind} evidence names project ${attachedTo.id}, this is ${state.projectId})`);
      }
      if (attachedTo.kind === 'acceptance' && state.acceptance === null) {
        throw domainError('INVALID_STATE', `项目 ${state.projectId} 尚未申请验收 (project ${state.projectId} has not applied for acceptance; no acceptance to attach evidence to)`, { status: state.status });
      }
      break;
    case 'milestone':
      if (entryOf(state.milestones, attachedTo.id) === undefined) {
        throw domainError('MILESTONE_NOT_FOUND', `项目 ${state.projectId} 没有里程碑 ${attachedTo.id} (project ${state.projectId} has no milestone ${attachedTo.id})`);
      }
      break;
    case 'payment':
      if (entryOf(state.payments, attachedTo.id) === undefined) {
        throw domainError('PAYMENT_NOT_FOUND', `项目 ${state.projectId} 没有银行付款 ${attachedTo.id} (project ${state.projectId} has no bank payment ${attachedTo.id})`);
      }
      break;
  }
  if (isRepeatOf(entryOf(state.evidence, evidenceId), command.data, `project ${state.projectId}`, evidenceId)) return [];
  return [{ type: 'EvidenceAttached', data: { by: command.actor, at: command.at, projectId: state.projectId, ...command.data } }];
}

export function evolveEvidence(state: ProjectState, event: EvidenceEvent): ProjectState {
  const { evidenceId, sha256, name, size, mediaType, attachedTo, by, at } = event.data;
  const record: EvidenceRecord = { sha256, name, size, mediaType, attachedTo, by: by.id, at };
  return { ...state, evidence: withEntry(state.evidence, evidenceId, record) };
}
