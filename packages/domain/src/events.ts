import { bankReferenceEventSchemas } from './bank-reference/registry.js';
import { bureauEventSchemas } from './bureau/registry.js';
import { annualSummaryEventSchemas } from './summary/annual-summary.js';
import type { EventsOf } from './decider.js';
import { disbursementEventSchemas } from './disbursement/disbursement.js';
import { programmeEventSchemas } from './programme/events.js';
import { projectEventSchemas } from './project/events.js';
import { r2LedgerEventSchemas } from './subsidy/r2-ledger.js';
import { r3LedgerEventSchemas } from './subsidy/r3-ledger.js';

/** The data schema of every event type, at its current version. */
export const eventSchemas = {
  ...programmeEventSchemas,
  ...projectEventSchemas,
  ...disbursementEventSchemas,
  ...bankReferenceEventSchemas,
  ...r2LedgerEventSchemas,
  ...r3LedgerEventSchemas,
  ...bureauEventSchemas,
  ...annualSummaryEventSchemas,
} as const;

export type DomainEvent = EventsOf<typeof eventSchemas>;
export type EventType = DomainEvent['type'];

/**
 * The schema version each event type is written with today. Bump it when an event's data changes
 * shape, and add an upcaster from the previous version in upcasting.ts.
 */
const bumped: Partial<Record<EventType, number>> = {
  // v3: bureauCode (the launching bureau).
  ProgrammeLaunched: 3,
  // v4: bureauCode and the optional countyCode.
  ProjectSubmitted: 4,
  // v2: the end date is the inclusive last day of the cycle (was the anniversary, one day late).
  TaskBookSigned: 2,
  ExtensionApproved: 2,
  SelectionGrantAwarded: 2,
  ConversionContractRegistered: 2,
  DisbursementRequested: 2,
  R2ReversalAssessed: 2,
  // v2: bureauCode (the ledger's government: the cap is the one its policy grants).
  R2LedgerOpened: 2,
  R3LedgerOpened: 2,
};

export const currentSchemaVersion: Record<EventType, number> = Object.fromEntries(
  Object.keys(eventSchemas).map((type) => [type, bumped[type as EventType] ?? 1]),
) as Record<EventType, number>;

export function isEventType(type: string): type is EventType {
  return Object.hasOwn(eventSchemas, type);
}
