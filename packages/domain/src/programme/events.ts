import { z } from 'zod';
import type { EventsOf } from '../decider.js';
import { ProgrammePolicy } from '../policy.js';
import { IsoDate } from '../values/calendar.js';
import { Id, RecordedName, RecordedText, recorded } from '../values/common.js';
import { RecordedIndustry } from './commands.js';
import { BureauCode } from '../bureau/codes.js';
import { Corrects } from '../values/corrects.js';

const Window = z.strictObject({ opensOn: IsoDate, closesOn: IsoDate, closedOn: IsoDate.nullable() });

export const programmeEventSchemas = {
  ProgrammeLaunched: z.strictObject({
    ...recorded,
    programmeId: Id,
    name: RecordedName,
    bureau: RecordedName,
    /** v3: the launching bureau (v2 and before: LEGACY_BUREAU_CODE, see upcasting.ts). */
    bureauCode: BureauCode,
    quota: z.int().min(1),
    focusIndustries: z.array(RecordedIndustry),
    policy: ProgrammePolicy,
  }),
  SolicitationOpened: z.strictObject({ ...recorded, programmeId: Id, opensOn: IsoDate, closesOn: IsoDate }),
  SolicitationClosed: z.strictObject({ ...recorded, programmeId: Id, closedOn: IsoDate, reason: RecordedText.optional() }),
  FocusIndustriesSet: z.strictObject({ ...recorded, programmeId: Id, focusIndustries: z.array(RecordedIndustry) }),
  SelectionSlotReserved: z.strictObject({
    ...recorded,
    programmeId: Id,
    projectId: Id,
    slot: z.int().min(1),
    quota: z.int().min(1),
  }),
  SelectionSlotReleased: z.strictObject({ ...recorded, programmeId: Id, projectId: Id, slot: z.int().min(1), reason: RecordedText }),
  /**
   * A proposal was submitted to the programme: written in the same atomic append as the project's
   * ProjectSubmitted, with the programme's expected revision, so a submission and an amendment of
   * the window or policy are ordered on this stream and neither can miss the other.
   */
  ProposalReceived: z.strictObject({ ...recorded, programmeId: Id, projectId: Id, submittedOn: IsoDate }),
  /** Correction: the window now in force; `previous` is the window it replaces (closedOn null: open again). */
  SolicitationWindowAmended: z.strictObject({
    ...recorded,
    programmeId: Id,
    opensOn: IsoDate,
    closesOn: IsoDate,
    previous: Window,
    reason: RecordedText,
    corrects: Corrects,
  }),
  /** Correction: the policy now in force; `previous` the one it replaces. */
  ProgrammePolicyAmended: z.strictObject({
    ...recorded,
    programmeId: Id,
    policy: ProgrammePolicy,
    previous: ProgrammePolicy,
    reason: RecordedText,
    corrects: Corrects,
  }),
  /** Correction: the programme is withdrawn; it named `pendingProposals` not yet decided then. */
  ProgrammeWithdrawn: z.strictObject({
    ...recorded,
    programmeId: Id,
    withdrawnOn: IsoDate,
    reason: RecordedText,
    corrects: Corrects,
    pendingProposals: z.int().min(0),
  }),
} as const;

export type ProgrammeEvent = EventsOf<typeof programmeEventSchemas>;
