import { z } from 'zod';
import type { EventsOf } from '../decider.js';
import { ProgrammePolicy } from '../policy.js';
import { IsoDate } from '../values/calendar.js';
import { Id, RecordedName, RecordedText, recorded } from '../values/common.js';
import { RecordedIndustry } from './commands.js';
import { BureauCode } from '../bureau/codes.js';

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
} as const;

export type ProgrammeEvent = EventsOf<typeof programmeEventSchemas>;
