import { z } from 'zod';
import type { CommandsOf } from '../decider.js';
import { ProgrammePolicy, taizhouPolicy } from '../policy.js';
import type { Role } from '../roles.js';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, Text } from '../values/common.js';
import { lineText } from '../values/text.js';
import { BureauCode } from '../bureau/codes.js';

export const Industry = lineText(100);
/** An industry as recorded in events and programme states (see RecordedText). */
export const RecordedIndustry = z.string().trim().min(1).max(100);

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
} as const;

export type ProgrammeCommand = CommandsOf<typeof programmeCommandSchemas>;
export type ProgrammeCommandType = ProgrammeCommand['type'];

export const programmeCommandRoles: Record<ProgrammeCommandType, Role[]> = {
  LaunchProgramme: ['officer'],
  OpenSolicitation: ['officer'],
  CloseSolicitation: ['officer'],
  SetFocusIndustries: ['officer'],
  ReserveSelectionSlot: ['approver'],
  ReleaseSelectionSlot: ['approver'],
};
