import { z } from 'zod';
import type { CommandsOf } from '../decider.js';
import { ProgrammePolicy, taizhouPolicy } from '../policy.js';
import type { Role } from '../roles.js';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, Text } from '../values/common.js';
import { lineText } from '../values/text.js';
import { BureauCode } from '../bureau/codes.js';
import { Corrects } from '../values/corrects.js';

export const Industry = lineText(100);
/** An industry as recorded in events and programme states (see RecordedText). */
export const RecordedIndustry = z.string().trim().min(1).max(100);

/**
 * Proposals submitted to the programme before submissions recorded ProposalReceived on it: the
 * application service counts them (their ProjectSubmitted names the programme), never the user.
 */
const LegacyProposals = z.int().min(0).optional();

export const programmeCommandSchemas = {
  /** A bureau launches a programme; its policy is fixed from here on (Taizhou's by default). */
  LaunchProgramme: z.strictObject({
    programmeId: Id,
    name: Name,
    /** The launching bureau's name, for display (free text, as before bureaus were data). */
    bureau: Name,
    /** The launching bureau: the caller's own (the HTTP layer takes it from the token, never from the body). */
    bureauCode: BureauCode,
    quota: z.int().min(1).max(10_000),
    focusIndustries: z.array(Industry).max(50).default([]),
    policy: ProgrammePolicy.default(taizhouPolicy),
  }),
  OpenSolicitation: z.strictObject({ opensOn: IsoDate, closesOn: IsoDate }),
  CloseSolicitation: z.strictObject({ closedOn: IsoDate, reason: Text.optional() }),
  SetFocusIndustries: z.strictObject({ focusIndustries: z.array(Industry).max(50) }),
  /** Claims one of the quota's places for a project: decided with the approval (`decideApproval`), never alone. */
  ReserveSelectionSlot: z.strictObject({ projectId: Id }),
  /** Gives back a place held by a project that was not approved (`decideRelease` refuses an approved one). */
  ReleaseSelectionSlot: z.strictObject({ projectId: Id, reason: Text }),
  /**
   * Corrects the solicitation window (dates typed wrongly, or closed by mistake: the amended window
   * is open again): only while no proposal was submitted (PROGRAMME_HAS_PROPOSALS). `corrects` is
   * the event that set the window in force, found by the application service, never sent.
   */
  AmendSolicitationWindow: z.strictObject({ opensOn: IsoDate, closesOn: IsoDate, reason: Text, corrects: Corrects.optional(), legacyProposals: LegacyProposals }),
  /** Corrects the policy fixed at launch: only while no proposal was submitted (PROGRAMME_HAS_PROPOSALS). */
  AmendProgrammePolicy: z.strictObject({ policy: ProgrammePolicy, reason: Text, corrects: Corrects.optional(), legacyProposals: LegacyProposals }),
  /** Withdraws the programme (launched by mistake, or abandoned): refused once a project was selected. */
  WithdrawProgramme: z.strictObject({ reason: Text, corrects: Corrects.optional() }),
} as const;

/**
 * The event types each correcting command may correct: the application service names the last one
 * of these in the stream (the event that set what is being corrected) in the command's `corrects`.
 */
export const programmeCorrectionTargets = {
  AmendSolicitationWindow: ['SolicitationOpened', 'SolicitationClosed', 'SolicitationWindowAmended'],
  AmendProgrammePolicy: ['ProgrammeLaunched', 'ProgrammePolicyAmended'],
  WithdrawProgramme: ['ProgrammeLaunched'],
} as const satisfies Record<string, readonly string[]>;

export type ProgrammeCommand = CommandsOf<typeof programmeCommandSchemas>;
export type ProgrammeCommandType = ProgrammeCommand['type'];

export const programmeCommandRoles: Record<ProgrammeCommandType, Role[]> = {
  LaunchProgramme: ['officer'],
  OpenSolicitation: ['officer'],
  CloseSolicitation: ['officer'],
  SetFocusIndustries: ['officer'],
  ReserveSelectionSlot: ['approver'],
  ReleaseSelectionSlot: ['approver'],
  AmendSolicitationWindow: ['officer'],
  AmendProgrammePolicy: ['officer'],
  WithdrawProgramme: ['officer'],
};
