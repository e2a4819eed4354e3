import type { ProgrammePolicy } from '../policy.js';
import { KeyedLog } from '../values/keyed-log.js';
import type { Claims, EntitlementView } from '../entitlement/claims.js';
import type { EvidenceRecord } from '../evidence/evidence.js';
import { claimsOf } from '../entitlement/claims.js';
import type { Corrects } from '../values/corrects.js';
import type { RecordedMoneyCorrection } from './corrections.js';
import type { AcceptanceResult, Indicator, Organisation, PerformanceGrade, PrincipalInvestigator, ProposedChange, Stage } from './values.js';

export type ProjectStatus =
  | 'none'
  | 'submitted'
  | 'in_expert_review'
  | 'in_publicity'
  | 'approved'
  | 'in_progress'
  | 'acceptance_applied'
  | 'acceptance_concluded'
  | 'closed'
  | 'rejected'
  | 'terminated'
  /** Withdrawn before approval (ProposalWithdrawn, a correction). */
  | 'withdrawn';

/** Statuses after which the project accepts no further command. */
export const endedStatuses: readonly ProjectStatus[] = ['closed', 'rejected', 'terminated', 'withdrawn'];

export type ObjectionStatus = 'open' | 'upheld' | 'dismissed';

export interface ReviewerState {
  readonly name: string;
  readonly employerCreditCode: string;
  readonly conflictDeclared: boolean;
  readonly score: number | null;
}

export interface MilestoneState {
  readonly title: string;
  readonly dueOn: string;
  readonly status: 'pending' | 'reported' | 'accepted' | 'returned';
  readonly reportedOn: string | null;
  /** The day it was accepted (the Shanghai date of MilestoneAccepted): done from then on. */
  readonly acceptedOn: string | null;
}

export interface RectificationState {
  readonly issue: string;
  /** The day it was ordered (the Shanghai date of RectificationOrdered). */
  readonly orderedOn: string;
  readonly dueOn: string;
  readonly status: 'open' | 'completed';
  readonly completedOn: string | null;
}

export interface ChangeState {
  readonly change: ProposedChange;
  readonly requestedBy: string;
  readonly status: 'pending' | 'approved' | 'rejected';
}

export interface ContractState {
  /** 转让方 and 受让方; null only for a contract of a project that was never submitted. */
  readonly transferor: Organisation | null;
  readonly transferee: Organisation | null;
  readonly amount: number;
  /** Bank-paid so far, net of reversals. */
  readonly paid: number;
}

export interface PaymentState {
  readonly contractId: string;
  /** Whose R2 ledger assesses it (the subsidy's beneficiary). */
  readonly enterpriseCreditCode: string;
  readonly amount: number;
  readonly bankReference: string;
  readonly paidOn: string;
  readonly reversed: boolean;
  /** false until the R2 ledger's assessment is recorded back here: a visibly pending process step. */
  readonly paymentAssessed: boolean;
  readonly reversalAssessed: boolean;
}

/** A money correction requested on the project: applied only when someone other than its requester approves it. */
export interface MoneyCorrectionState {
  readonly correction: RecordedMoneyCorrection;
  readonly reason: string;
  readonly corrects: Corrects;
  readonly requestedBy: string;
  readonly status: 'pending' | 'approved' | 'rejected';
}

export interface ProjectState {
  readonly status: ProjectStatus;
  readonly stage: Stage;
  readonly suspended: boolean;
  readonly projectId: string;
  readonly programmeId: string;
  /** The programme's bureau ('' before submission): the project, its money and its ledgers belong to it. */
  readonly bureauCode: string;
  /** The applicant's county bureau, which may recommend it; null when the proposal named none. */
  readonly countyCode: string | null;
  readonly policy: ProgrammePolicy | null;
  readonly title: string;
  readonly leadEnterprise: Organisation | null;
  readonly partners: readonly Organisation[];
  readonly industry: string;
  readonly county: string;
  readonly principalInvestigator: PrincipalInvestigator | null;
  readonly requestedFunding: number;
  readonly submittedBy: string;
  /** The business date of the submission ('' before it). */
  readonly submittedOn: string;
  readonly countyRecommendation: string | null;
  readonly reviewers: Readonly<Record<string, ReviewerState>>;
  readonly publicity: { readonly startsOn: string; readonly endsOn: string } | null;
  /** By objection id; a log that versions of the state share (objections are not bounded: see KeyedLog). JSON: a record. */
  readonly objections: KeyedLog<ObjectionStatus>;
  readonly selectionSlot: number | null;
  readonly taskBook: {
    readonly startOn: string;
    /** The current end date, moved by an approved extension. */
    readonly endOn: string;
    /** The end date the task book was signed with, before any extension. */
    readonly originalEndOn: string;
    readonly approvedFunding: number;
    readonly indicators: readonly Indicator[];
  } | null;
  readonly extension: {
    readonly status: 'pending' | 'approved' | 'rejected';
    readonly months: number;
    readonly requestedBy: string;
    /** The day an approved extension took effect (the Shanghai date of ExtensionApproved). */
    readonly approvedOn: string | null;
  } | null;
  readonly milestones: Readonly<Record<string, MilestoneState>>;
  readonly rectifications: Readonly<Record<string, RectificationState>>;
  readonly changes: Readonly<Record<string, ChangeState>>;
  readonly midTermCheckDone: boolean;
  readonly visitIds: readonly string[];
  readonly contracts: Readonly<Record<string, ContractState>>;
  readonly payments: Readonly<Record<string, PaymentState>>;
  /** The R1 award: the disbursement first requested for it, and the amount granted. */
  readonly r1: { readonly disbursementId: string; readonly amount: number } | null;
  /** What disbursements claim against the R1 grant (key `R1`). */
  readonly claims: Claims;
  readonly acceptance: {
    readonly appliedOn: string;
    readonly appliedBy: string;
    readonly result: AcceptanceResult | null;
  } | null;
  readonly grades: Readonly<Record<string, PerformanceGrade>>;
  /** The day it was rejected, terminated or closed (the Shanghai date of that event). */
  readonly endedOn: string | null;
  /** Evidence files attached (issue 19), by evidence id: the bytes are in the blob store under `sha256`. */
  readonly evidence: Readonly<Record<string, EvidenceRecord>>;
  /** Money corrections by id (contract amount, bank reference, refund), pending until approved by a second person. */
  readonly moneyCorrections: Readonly<Record<string, MoneyCorrectionState>>;
}

export const initialProjectState: ProjectState = {
  status: 'none',
  stage: 'solicitation',
  suspended: false,
  projectId: '',
  programmeId: '',
  bureauCode: '',
  countyCode: null,
  policy: null,
  title: '',
  leadEnterprise: null,
  partners: [],
  industry: '',
  county: '',
  principalInvestigator: null,
  requestedFunding: 0,
  submittedBy: '',
  submittedOn: '',
  countyRecommendation: null,
  reviewers: {},
  publicity: null,
  objections: KeyedLog.empty(),
  selectionSlot: null,
  taskBook: null,
  extension: null,
  milestones: {},
  rectifications: {},
  changes: {},
  midTermCheckDone: false,
  visitIds: [],
  contracts: {},
  payments: {},
  r1: null,
  claims: {},
  acceptance: null,
  grades: {},
  endedOn: null,
  evidence: {},
  moneyCorrections: {},
};

export function projectStream(projectId: string): string {
  return `project-${projectId}`;
}

export function openRectifications(state: ProjectState): string[] {
  return Object.entries(state.rectifications)
    .filter(([, rectification]) => rectification.status === 'open')
    .map(([id]) => id);
}

/** Bank payments whose R2 assessment has not been recorded back yet (re-drive these). */
export function pendingSubsidyAssessments(state: ProjectState): { paymentId: string; step: 'payment' | 'reversal' }[] {
  return Object.entries(state.payments).flatMap(([paymentId, payment]) => [
    ...(payment.paymentAssessed ? [] : [{ paymentId, step: 'payment' as const }]),
    ...(payment.reversed && !payment.reversalAssessed ? [{ paymentId, step: 'reversal' as const }] : []),
  ]);
}

/** The project's R1 grant as an entitlement: what it grants, to whom, and what is claimed against it. */
export function r1EntitlementView(state: ProjectState): EntitlementView {
  return {
    ref: { rule: 'R1', projectId: state.projectId },
    key: 'R1',
    holder: state.leadEnterprise?.creditCode ?? '',
    entitled: state.r1?.amount ?? null,
    claims: claimsOf(state.claims, 'R1'),
  };
}
