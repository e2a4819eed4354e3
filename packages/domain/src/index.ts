import { bankReferenceStream } from './bank-reference/bank-reference.js';
import type { BankReferenceEvent } from './bank-reference/registry.js';
import type { DisbursementEvent } from './disbursement/disbursement.js';
import type { DomainEvent } from './events.js';
import type { ProgrammeEvent } from './programme/events.js';
import type { ProjectEvent } from './project/events.js';
import type { R2LedgerEvent } from './subsidy/r2-ledger.js';
import type { R3LedgerEvent } from './subsidy/r3-ledger.js';
import {
  bankReferenceCommandRoles,
  bankReferenceCommandSchemas,
  bankReferenceDecider,
  bankReferenceEventSchemas,
} from './bank-reference/registry.js';
import { disbursementDecider } from './disbursement/decider.js';
import {
  disbursementCommandRoles,
  disbursementCommandSchemas,
  disbursementEventSchemas,
  disbursementStream,
} from './disbursement/disbursement.js';
import { programmeCommandRoles, programmeCommandSchemas } from './programme/commands.js';
import { programmeDecider } from './programme/decider.js';
import { programmeEventSchemas } from './programme/events.js';
import { programmeStream } from './programme/state.js';
import { projectCommandRoles, projectCommandSchemas } from './project/commands.js';
import { projectDecider } from './project/decider.js';
import { projectEventSchemas } from './project/events.js';
import { projectStream } from './project/state.js';
import { bureauCommandRoles, bureauCommandSchemas, bureauEventSchemas, bureauRegistryDecider, bureauRegistryStream, type BureauEvent } from './bureau/registry.js';
import { r2LedgerCommandRoles, r2LedgerCommandSchemas, r2LedgerDecider, r2LedgerEventSchemas, r2LedgerStream } from './subsidy/r2-ledger.js';
import {
  annualSummaryCommandRoles,
  annualSummaryCommandSchemas,
  annualSummaryDecider,
  annualSummaryEventSchemas,
  annualSummaryStream,
  type AnnualSummaryEvent,
} from './summary/annual-summary.js';
import { r3LedgerCommandRoles, r3LedgerCommandSchemas, r3LedgerDecider, r3LedgerEventSchemas, r3LedgerStream } from './subsidy/r3-ledger.js';

function belongsTo<E extends DomainEvent>(schemas: Record<string, unknown>) {
  return (event: DomainEvent): event is E => Object.hasOwn(schemas, event.type);
}

/** Each aggregate as one record: its decider, the data schemas of its commands and events, its roles and its stream name. */
export const programme = {
  decider: programmeDecider,
  commandSchemas: programmeCommandSchemas,
  eventSchemas: programmeEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<ProgrammeEvent>(programmeEventSchemas),
  commandRoles: programmeCommandRoles,
  streamName: programmeStream,
} as const;

export const project = {
  decider: projectDecider,
  commandSchemas: projectCommandSchemas,
  eventSchemas: projectEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<ProjectEvent>(projectEventSchemas),
  commandRoles: projectCommandRoles,
  streamName: projectStream,
} as const;

export const disbursement = {
  decider: disbursementDecider,
  commandSchemas: disbursementCommandSchemas,
  eventSchemas: disbursementEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<DisbursementEvent>(disbursementEventSchemas),
  commandRoles: disbursementCommandRoles,
  streamName: disbursementStream,
} as const;

export const bankReference = {
  decider: bankReferenceDecider,
  commandSchemas: bankReferenceCommandSchemas,
  eventSchemas: bankReferenceEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<BankReferenceEvent>(bankReferenceEventSchemas),
  commandRoles: bankReferenceCommandRoles,
  streamName: bankReferenceStream,
} as const;

export const r2Ledger = {
  decider: r2LedgerDecider,
  commandSchemas: r2LedgerCommandSchemas,
  eventSchemas: r2LedgerEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<R2LedgerEvent>(r2LedgerEventSchemas),
  commandRoles: r2LedgerCommandRoles,
  streamName: r2LedgerStream,
} as const;

export const r3Ledger = {
  decider: r3LedgerDecider,
  commandSchemas: r3LedgerCommandSchemas,
  eventSchemas: r3LedgerEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<R3LedgerEvent>(r3LedgerEventSchemas),
  commandRoles: r3LedgerCommandRoles,
  streamName: r3LedgerStream,
} as const;

/** The registry of bureaus: one stream, `bureaus`. */
export const bureauRegistry = {
  decider: bureauRegistryDecider,
  commandSchemas: bureauCommandSchemas,
  eventSchemas: bureauEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<BureauEvent>(bureauEventSchemas),
  commandRoles: bureauCommandRoles,
  streamName: bureauRegistryStream,
} as const;

/** A city's annual work summary for a year, to the province: one stream per city and year. */
export const annualSummary = {
  decider: annualSummaryDecider,
  commandSchemas: annualSummaryCommandSchemas,
  eventSchemas: annualSummaryEventSchemas,
  /** Narrows an event read back with parseEvent to this aggregate's events. */
  isEvent: belongsTo<AnnualSummaryEvent>(annualSummaryEventSchemas),
  commandRoles: annualSummaryCommandRoles,
  streamName: annualSummaryStream,
} as const;

export * from './bureau/index.js';
export {
  ANNUAL_SUMMARY_DUE,
  annualSummaryDueOn,
  annualSummaryStatus,
  annualSummaryStatusNames,
  type AnnualSummaryState,
  type AnnualSummaryStatus,
} from './summary/annual-summary.js';

export type { Decider, CommandsOf, EventsOf } from './decider.js';
export { commandSchema } from './decider.js';

export { Role, roles } from './roles.js';
export { Actor, Id } from './values/common.js';
export { lineText, Name, proseText, queryText, Text, textProblem } from './values/text.js';
export { entryOf, withEntry, type Keyed } from './values/keyed.js';
export { KeyedLog } from './values/keyed-log.js';
export { CreditCode, creditCodeCheckChar, creditCodeProblem, isCreditCode } from './values/credit-code.js';
export {
  IsoDate,
  IsoInstant,
  addDays,
  addMonths,
  compareDates,
  isLeapYear,
  monthsBetween,
  parseYmd,
  periodEnd,
  toShanghaiDate,
  yearOf,
} from './values/calendar.js';
export { Fen, PositiveFen, BasisPoints, applyRateFloor, formatYuan, yuan } from './values/fen.js';

export { ProgrammePolicy, R2Policy, R3Policy, taizhouPolicy } from './policy.js';
export * from './deadlines.js';
export { DomainError, domainError, domainErrorCodes, errorCatalogue, isDomainError } from './errors.js';
export type { DomainErrorCode, DomainErrorKind } from './errors.js';

export { commandDataSchemas, commandRoles, isCommandType, parseCommand } from './commands.js';
export type { CommandType, DomainCommand } from './commands.js';
export { currentSchemaVersion, eventSchemas, isEventType } from './events.js';
export type { DomainEvent, EventType } from './events.js';
export { parseEvent, upcast, upcasters, yuanToFen } from './upcasting.js';
export type { StoredEvent, Upcaster } from './upcasting.js';

export type { ProgrammeCommand } from './programme/commands.js';
export type { ProgrammeEvent } from './programme/events.js';
export { ProgrammeSnapshot, programmeSnapshot } from './programme/state.js';
export type { ProgrammeState } from './programme/state.js';
export { decideApproval, decideProposalWithdrawal, decideRelease, decideSubmission } from './programme/selection.js';
export type { ApproveWithinQuota, SelectionEvents, SelectionState, SubmitToProgramme } from './programme/selection.js';
export { programmeCorrectionTargets } from './programme/commands.js';
export { requireNotWithdrawn } from './programme/decider.js';
export { Corrects } from './values/corrects.js';
export { decideContractPayment, ledgerOf } from './subsidy/contract-payment.js';
export type { ConfirmPayment, ContractPaymentEvents, ContractPaymentState } from './subsidy/contract-payment.js';
export type { ProjectCommand } from './project/commands.js';
export type { ProjectEvent } from './project/events.js';
export { openRectifications, pendingSubsidyAssessments, r1EntitlementView } from './project/state.js';
export { acceptanceDeadlineOn, dueItems, overdueItems, type DueItem, type DueItemKind } from './project/due-items.js';
export type { ObjectionStatus, ProjectState, ProjectStatus } from './project/state.js';
export { AcceptanceResult, PerformanceGrade, Stage } from './project/values.js';
export type { DisbursementCommand, DisbursementEvent } from './disbursement/disbursement.js';
export { RuleKind } from './disbursement/disbursement.js';
export type { DisbursementState, PayoutDecision } from './disbursement/decider.js';
export { decideDisbursement } from './disbursement/decider.js';
export { EntitlementRef, describeEntitlement, entitlementKey, entitlementStream, r2EntryKey } from './entitlement/entitlement.js';
export { claimEventSchemas, held, overpaid, paidNet } from './entitlement/claims.js';
export type { Claim, ClaimEvent, Claims, EntitlementView } from './entitlement/claims.js';
export { reclaimOverpaid } from './entitlement/reclaim.js';
export type { Reclaim } from './entitlement/reclaim.js';
export { BankReference } from './bank-reference/bank-reference.js';
export type { BankReferenceCommand, BankReferenceEvent, BankReferenceState } from './bank-reference/registry.js';
export type { R2LedgerCommand, R2LedgerEntry, R2LedgerEvent, R2LedgerState } from './subsidy/r2-ledger.js';
export { bureauOfRef, r2EntitlementView, r2EntitlementViews } from './subsidy/r2-ledger.js';
export { LEDGER_STREAM, ledgerStream, parseLedgerStream, type LedgerRule } from './subsidy/ledger-stream.js';
export type { R3LedgerCommand, R3LedgerEntry, R3LedgerEvent, R3LedgerState } from './subsidy/r3-ledger.js';
export { r3EntitlementView, r3EntitlementViews } from './subsidy/r3-ledger.js';
export { assessR2, assessR3 } from './subsidy/r2-rules.js';
export type { R2Assessment, R2Entry } from './subsidy/r2-rules.js';
export {
  EvidenceTarget,
  FileName,
  MediaType,
  Sha256,
  evidenceRoles,
  EVIDENCE_EVENT_TYPES,
  type EvidenceKind,
  type EvidenceRecord,
} from './evidence/evidence.js';
export { MilestoneDateField, MoneyCorrection, RecordedMoneyCorrection, correctedEventIndex, type CorrectionTarget } from './project/corrections.js';
export type { MoneyCorrectionState } from './project/state.js';
export { DisbursementCorrection, RecordedDisbursementCorrection } from './disbursement/disbursement.js';
export type { DisbursementCorrectionState } from './disbursement/decider.js';
