import { z } from 'zod';
import type { EventsOf } from '../decider.js';
import { ProgrammePolicy } from '../policy.js';
import { IsoDate } from '../values/calendar.js';
import { Id, Name, Text, recorded } from '../values/common.js';
import { Industry } from './commands.js';

export const programmeEventSchemas = {
  ProgrammeLaunched: z.strictObject({
    ...recorded,
    programmeId: Id,
    name: Name,
    bureau: Name,
    quota: z.int().min(1),
    focusIndustries: z.array(Industry),
    policy: ProgrammePolicy,
  }),
  SolicitationOpened: z.strictObject({ ...recorded, programmeId: Id, opensOn: IsoDate, closesOn: IsoDate }),
  SolicitationClosed: z.strictObject({ ...recorded, programmeId: Id, closedOn: IsoDate, reason: Text.optional() }),
  FocusIndustriesSet: z.strictObject({ ...recorded, programmeId: Id, focusIndustries: z.array(Industry) }),
  SelectionSlotReserved: z.strictObject({
    ...recorded,
    programmeId: Id,
    projectId: Id,
    slot: z.int().min(1),
    quota: z.int().min(1),
  }),
  SelectionSlotReleased: z.strictObject({ ...recorded, programmeId: Id, projectId: Id, slot: z.int().min(1), reason: Text }),
} as const;

export type ProgrammeEvent = EventsOf<typeof programmeEventSchemas>;
