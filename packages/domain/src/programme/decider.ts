import { assertNever, assertRole } from '../authorize.js';
import type { Decider } from '../decider.js';
import { domainError } from '../errors.js';
import { compareDates, toShanghaiDate } from '../values/calendar.js';
import type { Corrects } from '../values/corrects.js';
import { entryOf, withEntry } from '../values/keyed.js';
import type { ProgrammeCommand } from './commands.js';
import { programmeCommandRoles, programmeCorrectionTargets } from './commands.js';
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
  if (state.status === 'withdrawn') throw withdrawnError(state);

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
    case 'AmendSolicitationWindow': {
      requireNoProposals(state, '征集期 (the solicitation window)', command.data.legacyProposals);
      const previous = state.solicitation;
      if (previous === null) {
        throw domainError('SOLICITATION_NOT_OPENED', `项目计划 ${programmeId} 尚未开放征集，请先开放征集期 (programme ${programmeId} has not opened its solicitation window; open it rather than amend it)`);
      }
      const { opensOn, closesOn, reason } = command.data;
      if (compareDates(opensOn, closesOn) > 0) {
        throw domainError('INVALID_DATE_RANGE', `征集期截止日 ${closesOn} 早于开始日 ${opensOn} (the window cannot close before it opens)`, { opensOn, closesOn });
      }
      // The same window, open: nothing to correct (a retried request).
      if (previous.opensOn === opensOn && previous.closesOn === closesOn && previous.closedOn === null) return [];
      const corrects = correctionOf(command.data.corrects, 'AmendSolicitationWindow');
      return [{ type: 'SolicitationWindowAmended', data: { ...recorded, programmeId, opensOn, closesOn, previous: { ...previous }, reason, corrects } }];
    }
    case 'AmendProgrammePolicy': {
      requireNoProposals(state, '政策 (the policy)', command.data.legacyProposals);
      const previous = state.policy;
      if (previous === null) throw new Error(`programme ${programmeId} was launched without a policy`);
      const { policy, reason } = command.data;
      if (sameJson(previous, policy)) return [];
      const corrects = correctionOf(command.data.corrects, 'AmendProgrammePolicy');
      return [{ type: 'ProgrammePolicyAmended', data: { ...recorded, programmeId, policy, previous, reason, corrects } }];
    }
    case 'WithdrawProgramme': {
      const held = Object.keys(state.reservations);
      if (state.selectedCount > 0 || held.length > 0) {
        throw domainError(
          'PROGRAMME_HAS_SELECTIONS',
          `项目计划 ${programmeId} 已有 ${held.length} 个项目占用立项名额，不能撤销；请逐个终止项目 (programme ${programmeId} has selected projects; it cannot be withdrawn)`,
          { projects: held },
        );
      }
      const corrects = correctionOf(command.data.corrects, 'WithdrawProgramme');
      return [
        {
          type: 'ProgrammeWithdrawn',
          data: { ...recorded, programmeId, withdrawnOn: toShanghaiDate(command.at), reason: command.data.reason, corrects, pendingProposals: state.proposalCount },
        },
      ];
    }
    default:
      return assertNever(command);
  }
}

function withdrawnError(state: ProgrammeState) {
  return domainError(
    'PROGRAMME_WITHDRAWN',
    `项目计划 ${state.programmeId} 已于 ${state.withdrawal?.withdrawnOn ?? '?'} 撤销 (programme ${state.programmeId} was withdrawn)`,
    { withdrawnOn: state.withdrawal?.withdrawnOn ?? null, reason: state.withdrawal?.reason ?? null },
  );
}

/** A programme that is withdrawn takes nothing new: refuses with PROGRAMME_WITHDRAWN. */
export function requireNotWithdrawn(state: ProgrammeState): void {
  if (state.status === 'withdrawn') throw withdrawnError(state);
}

function requireNoProposals(state: ProgrammeState, what: string, legacy = 0): void {
  const proposals = state.proposalCount + legacy;
  if (proposals > 0) {
    throw domainError(
      'PROGRAMME_HAS_PROPOSALS',
      `项目计划 ${state.programmeId} 已收到 ${proposals} 份申报，${what}不能再更正 (programme ${state.programmeId} has received proposals; its window and policy can no longer be amended)`,
      { proposals },
    );
  }
}

function correctionOf(corrects: Corrects | undefined, type: keyof typeof programmeCorrectionTargets): Corrects {
  const targets: readonly string[] = programmeCorrectionTargets[type];
  if (corrects === undefined || !targets.includes(corrects.type)) {
    throw domainError('INVALID_STATE', `${type} 须指明被更正的事件 (${targets.join(', ')}) (a correction names the event it corrects)`, { corrects: corrects ?? null });
  }
  return corrects;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a, Object.keys(a as object).sort()) === JSON.stringify(b, Object.keys(b as object).sort());
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
    case 'ProposalReceived':
      return { ...state, proposalCount: state.proposalCount + 1 };
    case 'SolicitationWindowAmended':
      return { ...state, solicitation: { opensOn: event.data.opensOn, closesOn: event.data.closesOn, closedOn: null } };
    case 'ProgrammePolicyAmended':
      return { ...state, policy: event.data.policy };
    case 'ProgrammeWithdrawn':
      return { ...state, status: 'withdrawn', withdrawal: { withdrawnOn: event.data.withdrawnOn, reason: event.data.reason } };
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
