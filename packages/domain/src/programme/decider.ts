import { assertNever, assertRole } from '../authorize.js';
import type { Decider } from '../decider.js';
import { domainError } from '../errors.js';
import { compareDates } from '../values/calendar.js';
import { entryOf, withEntry } from '../values/keyed.js';
import type { ProgrammeCommand } from './commands.js';
import { programmeCommandRoles } from './commands.js';
import type { ProgrammeEvent } from './events.js';
import type { ProgrammeState } from './state.js';
import { initialProgrammeState } from './state.js';

function decide(command: ProgrammeCommand, state: ProgrammeState): ProgrammeEvent[] {
  assertRole(command.type, command.actor, programmeCommandRoles[command.type]);
  const recorded = { by: command.actor, at: command.at };
  if (command.type === 'LaunchProgramme') {
    if (state.status !== 'none') {
      throw domainError('ALREADY_EXISTS', `programme ${state.programmeId} has already been launched`);
    }
    return [{ type: 'ProgrammeLaunched', data: { ...recorded, ...command.data } }];
  }
  if (state.status === 'none') throw domainError('PROGRAMME_NOT_FOUND', 'this programme has not been launched');
  const programmeId = state.programmeId;

  switch (command.type) {
    case 'OpenSolicitation': {
      if (state.solicitation !== null) {
        throw domainError('SOLICITATION_ALREADY_OPENED', `programme ${programmeId} has already opened its solicitation window`);
      }
      const { opensOn, closesOn } = command.data;
      if (compareDates(opensOn, closesOn) > 0) {
        throw domainError('INVALID_DATE_RANGE', `the window cannot close (${closesOn}) before it opens (${opensOn})`);
      }
      return [{ type: 'SolicitationOpened', data: { ...recorded, programmeId, opensOn, closesOn } }];
    }
    case 'CloseSolicitation': {
      if (state.solicitation === null || state.solicitation.closedOn !== null) {
        throw domainError('SOLICITATION_CLOSED', `programme ${programmeId} has no open solicitation window to close`);
      }
      return [{ type: 'SolicitationClosed', data: { ...recorded, programmeId, ...command.data } }];
    }
    case 'SetFocusIndustries': {
      if (state.solicitation !== null) {
        throw domainError('FOCUS_INDUSTRIES_FROZEN', `programme ${programmeId} has opened solicitation; its focus industries are fixed`);
      }
      return [{ type: 'FocusIndustriesSet', data: { ...recorded, programmeId, focusIndustries: command.data.focusIndustries } }];
    }
    case 'ReserveSelectionSlot': {
      const { projectId } = command.data;
      // A retried approval finds its place already held: nothing new to record.
      if (entryOf(state.reservations, projectId) !== undefined) return [];
      if (state.selectedCount >= state.quota) {
        throw domainError('QUOTA_REACHED', `programme ${programmeId} has selected ${state.selectedCount} of ${state.quota} projects`, {
          selected: state.selectedCount,
          quota: state.quota,
        });
      }
      return [
        {
          type: 'SelectionSlotReserved',
          data: { ...recorded, programmeId, projectId, slot: firstFreeSlot(state), quota: state.quota },
        },
      ];
    }
    case 'ReleaseSelectionSlot': {
      const slot = entryOf(state.reservations, command.data.projectId);
      if (slot === undefined) {
        throw domainError('SELECTION_SLOT_NOT_FOUND', `programme ${programmeId} holds no place for project ${command.data.projectId}`);
      }
      return [{ type: 'SelectionSlotReleased', data: { ...recorded, programmeId, ...command.data, slot } }];
    }
    default:
      return assertNever(command);
  }
}

/**
 * The lowest place number no project holds. Not `selectedCount + 1`: after a release that number
 * may still be held (places 1, 2, 3 held, 1 released: the next is 1, not 3).
 */
function firstFreeSlot(state: ProgrammeState): number {
  const held = new Set(Object.values(state.reservations));
  let slot = 1;
  while (held.has(slot)) slot++;
  return slot;
}

function evolve(state: ProgrammeState, event: ProgrammeEvent): ProgrammeState {
  switch (event.type) {
    case 'ProgrammeLaunched': {
      const { programmeId, name, bureau, bureauCode, quota, focusIndustries, policy } = event.data;
      return { ...state, status: 'launched', programmeId, name, bureau, bureauCode, quota, focusIndustries, policy };
    }
    case 'SolicitationOpened':
      return { ...state, solicitation: { opensOn: event.data.opensOn, closesOn: event.data.closesOn, closedOn: null } };
    case 'SolicitationClosed':
      return state.solicitation === null ? state : { ...state, solicitation: { ...state.solicitation, closedOn: event.data.closedOn } };
    case 'FocusIndustriesSet':
      return { ...state, focusIndustries: event.data.focusIndustries };
    case 'SelectionSlotReserved':
      return {
        ...state,
        reservations: withEntry(state.reservations, event.data.projectId, event.data.slot),
        selectedCount: state.selectedCount + 1,
      };
    case 'SelectionSlotReleased': {
      const { [event.data.projectId]: _released, ...reservations } = state.reservations;
      return { ...state, reservations, selectedCount: state.selectedCount - 1 };
    }
    default:
      return assertNever(event);
  }
}

/**
 * The programme (stream `programme-<id>`): its policy, solicitation window, focus industries and
 * quota. The quota is enforced here and only here: every selection reserves a place on this
 * stream, in the same atomic append as the approval on the project stream (`decideApproval`), with
 * the expected revision of both, so two approvals racing for the last place cannot both succeed.
 */
export const programmeDecider: Decider<ProgrammeCommand, ProgrammeState, ProgrammeEvent> = {
  decide,
  evolve,
  initialState: initialProgrammeState,
};
