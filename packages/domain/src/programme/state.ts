import { z } from 'zod';
import { ProgrammePolicy } from '../policy.js';
import { IsoDate } from '../values/calendar.js';
import { Id } from '../values/common.js';
import { RecordedIndustry } from './commands.js';
import { BureauCode } from '../bureau/codes.js';

export interface SolicitationWindow {
  readonly opensOn: string;
  readonly closesOn: string;
  readonly closedOn: string | null;
}

export interface ProgrammeState {
  /** withdrawn: takes no proposal, approval, window or amendment any more (ProgrammeWithdrawn). */
  readonly status: 'none' | 'launched' | 'withdrawn';
  readonly programmeId: string;
  readonly name: string;
  readonly bureau: string;
  /** The bureau that launched it: its projects, money and caps belong to it. */
  readonly bureauCode: string;
  readonly quota: number;
  readonly focusIndustries: readonly string[];
  readonly policy: ProgrammePolicy | null;
  readonly solicitation: SolicitationWindow | null;
  /** projectId → slot number: the projects selected (or being selected) against the quota. */
  readonly reservations: Readonly<Record<string, number>>;
  readonly selectedCount: number;
  /** Proposals submitted to it (ProposalReceived): once one is, its window and policy are fixed. */
  readonly proposalCount: number;
  readonly withdrawal: { readonly withdrawnOn: string; readonly reason: string } | null;
}

export const initialProgrammeState: ProgrammeState = {
  status: 'none',
  programmeId: '',
  name: '',
  bureau: '',
  bureauCode: '',
  quota: 0,
  focusIndustries: [],
  policy: null,
  solicitation: null,
  reservations: {},
  selectedCount: 0,
  proposalCount: 0,
  withdrawal: null,
};

/**
 * What a project's submission needs to know about its programme. The application service reads
 * it from the programme stream (`programmeSnapshot`) and puts it in the SubmitProject command, so
 * the project stream stays self-contained and carries its policy for life.
 */
export const ProgrammeSnapshot = z.strictObject({
  programmeId: Id,
  /** The programme's bureau: the project belongs to it. */
  bureauCode: BureauCode,
  policy: ProgrammePolicy,
  focusIndustries: z.array(RecordedIndustry),
  solicitation: z.strictObject({ opensOn: IsoDate, closesOn: IsoDate, closedOn: IsoDate.nullable() }).nullable(),
});
export type ProgrammeSnapshot = z.infer<typeof ProgrammeSnapshot>;

export function programmeSnapshot(state: ProgrammeState): ProgrammeSnapshot | null {
  if (state.status !== 'launched' || state.policy === null) return null;
  return {
    programmeId: state.programmeId,
    bureauCode: state.bureauCode,
    policy: state.policy,
    focusIndustries: [...state.focusIndustries],
    solicitation: state.solicitation === null ? null : { ...state.solicitation },
  };
}

export function programmeStream(programmeId: string): string {
  return `programme-${programmeId}`;
}
