import type { Actor } from '../values/common.js';
import { domainError } from '../errors.js';
import { entryOf } from '../values/keyed.js';
import { projectDecider } from '../project/decider.js';
import type { ProjectEvent } from '../project/events.js';
import type { ProjectState } from '../project/state.js';
import { programmeDecider, requireNotWithdrawn } from './decider.js';
import type { ProgrammeCommand } from './commands.js';
import type { ProgrammeEvent } from './events.js';
import type { ProgrammeState } from './state.js';
import { programmeSnapshot } from './state.js';
import type { ProjectCommand } from '../project/commands.js';
import { toShanghaiDate } from '../values/calendar.js';

/** The two states a selection decision needs: the programme's quota and the project. */
export interface SelectionState {
  readonly programme: ProgrammeState;
  readonly project: ProjectState;
}

/** What a selection decision writes: events for each stream, appended together (one atomic append). */
export interface SelectionEvents {
  programme: ProgrammeEvent[];
  project: ProjectEvent[];
}

/** Approve a project (立项) within its programme's quota: who, when, and the approver's comment. */
export interface ApproveWithinQuota {
  readonly actor: Actor;
  readonly at: string;
  readonly comment?: string | undefined;
}

/**
 * One decision over the programme and the project: the approval's own rules first (publicity
 * over, objections resolved, four eyes…), then a place of the quota (`QUOTA_REACHED` when none is
 * left), then the approval carrying that place. The application appends both lists in one atomic
 * append with the expected revision of each stream, so the quota cannot be exceeded and no
 * approval exists without its place, nor a place without its approval.
 *
 * A place the programme already holds for this project (reserved by the two-step approval of
 * earlier versions and never completed) is used as it is: nothing new on the programme.
 */
export function decideApproval(command: ApproveWithinQuota, state: SelectionState): SelectionEvents {
  const { programme, project } = state;
  const projectId = project.projectId;
  const approve = (slot: number, quota: number) =>
    projectDecider.decide(
      {
        type: 'ApproveProject',
        actor: command.actor,
        at: command.at,
        data: { selection: { programmeId: project.programmeId, slot, quota }, ...(command.comment ? { comment: command.comment } : {}) },
      },
      project,
    );
  // The approval's own refusals come before the quota's: a project that may not be approved is
  // told why, whether or not a place is left.
  approve(1, 1);
  if (programme.status === 'none' || programme.programmeId !== project.programmeId) {
    throw domainError('PROGRAMME_NOT_FOUND', `programme ${project.programmeId} of project ${projectId} has not been launched`);
  }
  requireNotWithdrawn(programme);
  const reserved = programmeDecider.decide({ type: 'ReserveSelectionSlot', actor: command.actor, at: command.at, data: { projectId } }, programme);
  const slot = reserved[0]?.type === 'SelectionSlotReserved' ? reserved[0].data.slot : entryOf(programme.reservations, projectId);
  if (slot === undefined) throw new Error(`programme ${programme.programmeId} gave project ${projectId} no place`);
  return { programme: reserved, project: approve(slot, programme.quota) };
}

/**
 * Give back a place: only one held by a project that was not approved. An approved project keeps
 * its place for good, also when it is later terminated (`SELECTION_SLOT_IN_USE`), so releasing it
 * can never let one more project in than the quota allows.
 */
export function decideRelease(command: Extract<ProgrammeCommand, { type: 'ReleaseSelectionSlot' }>, state: SelectionState): SelectionEvents {
  const { programme, project } = state;
  if (project.selectionSlot !== null && project.programmeId === programme.programmeId) {
    throw domainError(
      'SELECTION_SLOT_IN_USE',
      `project ${project.projectId} was approved in place ${project.selectionSlot} of programme ${programme.programmeId}; an approved project keeps its place`,
      { projectId: project.projectId, slot: project.selectionSlot, status: project.status },
    );
  }
  return { programme: programmeDecider.decide(command, programme), project: [] };
}

/** Submit a proposal (the SubmitProject command without its programme snapshot, which comes from `programme`). */
export type SubmitToProgramme = Omit<Extract<ProjectCommand, { type: 'SubmitProject' }>, 'data'> & {
  readonly data: Omit<Extract<ProjectCommand, { type: 'SubmitProject' }>['data'], 'programme'>;
};

/**
 * One decision over the programme and the new project: the project's submission, decided on the
 * programme as it stands (its window, policy and focus industries), and ProposalReceived on the
 * programme. The application appends both in one atomic append with the expected revision of
 * each stream: a submission that raced an amendment of the window or policy, or the programme's
 * withdrawal, is decided again on the programme as amended (or refused), never recorded under the
 * window the amendment replaced; an amendment that comes second finds the proposal and is refused
 * (PROGRAMME_HAS_PROPOSALS).
 */
export function decideSubmission(command: SubmitToProgramme, state: SelectionState): SelectionEvents {
  const { programme } = state;
  requireNotWithdrawn(programme);
  const snapshot = programmeSnapshot(programme);
  if (snapshot === null) throw domainError('PROGRAMME_NOT_FOUND', 'this programme has not been launched');
  const submitted = projectDecider.decide({ ...command, data: { ...command.data, programme: snapshot } }, state.project);
  const event = submitted[0];
  if (event?.type !== 'ProjectSubmitted') throw new Error(`SubmitProject decided ${event?.type ?? 'nothing'}`);
  return {
    programme: [
      {
        type: 'ProposalReceived',
        data: { by: command.actor, at: command.at, programmeId: programme.programmeId, projectId: event.data.projectId, submittedOn: event.data.submittedOn },
      },
    ],
    project: submitted,
  };
}

/**
 * Withdraw a proposal before approval: ProposalWithdrawn on the project and, if the programme
 * still holds a place for it (a two-step reservation of earlier versions), the place given back
 * in the same atomic append. Allowed on a withdrawn programme: that is how its pending proposals
 * are wound up.
 */
export function decideProposalWithdrawal(command: Extract<ProjectCommand, { type: 'WithdrawProposal' }>, state: SelectionState): SelectionEvents {
  const { programme, project } = state;
  const withdrawn = projectDecider.decide(command, project);
  const slot = programme.programmeId === project.programmeId ? entryOf(programme.reservations, project.projectId) : undefined;
  const released: ProgrammeEvent[] =
    slot === undefined
      ? []
      : [
          {
            type: 'SelectionSlotReleased',
            data: {
              by: command.actor,
              at: command.at,
              programmeId: programme.programmeId,
              projectId: project.projectId,
              slot,
              reason: `申报已撤回：${command.data.reason} (proposal withdrawn on ${toShanghaiDate(command.at)})`.slice(0, 2000),
            },
          },
        ];
  return { programme: released, project: withdrawn };
}
