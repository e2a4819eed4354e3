import { table } from '../table.js';

export interface ProgrammeRow {
  programme_id: string;
  name: string;
  bureau: string;
  quota: number;
  focus_industries: string[];
  policy: unknown;
  launched_on: string;
  opens_on: string | null;
  closes_on: string | null;
  closed_on: string | null;
  /** Places taken on the quota: reserved minus released. */
  slots_taken: number;
  /** The launching bureau, and its path (`330000.331000`): the programme, its projects and money belong to it. */
  bureau_code: string;
  bureau_path: string;
  /** launched, or withdrawn (ProgrammeWithdrawn, a correction). */
  status: string;
  withdrawn_on: string | null;
  /** The last correction of its window or policy (SolicitationWindowAmended, ProgrammePolicyAmended). */
  amended_on: string | null;
}

export const programmes = table<ProgrammeRow>({
  name: 'programmes',
  key: 'programme_id',
  columns: {
    programme_id: 'text',
    name: 'text',
    bureau: 'text',
    quota: 'integer',
    focus_industries: 'jsonb',
    policy: 'jsonb',
    launched_on: 'date',
    opens_on: 'date',
    closes_on: 'date',
    closed_on: 'date',
    slots_taken: 'integer',
    bureau_code: 'text',
    bureau_path: 'text',
    status: 'text',
    withdrawn_on: 'date',
    amended_on: 'date',
  },
  scope: 'bureau_path',
  indexes: ['bureau_path text_pattern_ops'],
});

export interface ProjectRow {
  project_id: string;
  programme_id: string;
  title: string;
  industry: string;
  county: string;
  lead_name: string;
  lead_credit_code: string;
  principal_investigator: string;
  status: string;
  stage: string;
  suspended: boolean;
  submitted_on: string;
  submitted_by: string;
  recommended: boolean;
  approved_on: string | null;
  slot: number | null;
  /** The day it was rejected, terminated or closed. */
  ended_on: string | null;
  end_reason: string | null;
  start_on: string | null;
  /** Current end of the cycle, moved by an approved extension. */
  end_on: string | null;
  original_end_on: string | null;
  extension_status: string | null;
  extension_months: number;
  acceptance_deadline: string | null;
  acceptance_applied_on: string | null;
  acceptance_result: string | null;
  acceptance_concluded_on: string | null;
  requested_funding: number;
  approved_funding: number | null;
  milestones_total: number;
  milestones_accepted: number;
  rectifications_total: number;
  rectifications_open: number;
  contracts: number;
  contract_amount: number;
  /** Bank-paid conversion turnover, net of reversals. */
  bank_paid: number;
  r1_awarded: number;
  r2_granted: number;
  r2_clawed_back: number;
  latest_grade: string | null;
  cycle_months: number;
  acceptance_window_months: number;
  last_event_at: string;
  /** The acceptance deadline before any extension: in force until `extension_approved_on`. */
  original_acceptance_deadline: string | null;
  /** The day an extension was approved; from then on `acceptance_deadline` (the extended one) is in force. */
  extension_approved_on: string | null;
  /** The programme's bureau (the project belongs to it) and its path. */
  bureau_code: string;
  bureau_path: string;
  /** The applicant's county bureau, when the submission named one. */
  county_code: string | null;
}

export const projects = table<ProjectRow>({
  name: 'projects',
  key: 'project_id',
  // ended_on: the projects running on a day (ended_on is null or later), as the due items read them.
  indexes: ['programme_id', 'submitted_on, project_id', 'lead_credit_code', 'bureau_path text_pattern_ops', 'ended_on'],
  scope: 'bureau_path',
  columns: {
    project_id: 'text',
    programme_id: 'text',
    title: 'text',
    industry: 'text',
    county: 'text',
    lead_name: 'text',
    lead_credit_code: 'text',
    principal_investigator: 'text',
    status: 'text',
    stage: 'text',
    suspended: 'boolean',
    submitted_on: 'date',
    submitted_by: 'text',
    recommended: 'boolean',
    approved_on: 'date',
    slot: 'integer',
    ended_on: 'date',
    end_reason: 'text',
    start_on: 'date',
    end_on: 'date',
    original_end_on: 'date',
    extension_status: 'text',
    extension_months: 'integer',
    acceptance_deadline: 'date',
    acceptance_applied_on: 'date',
    acceptance_result: 'text',
    acceptance_concluded_on: 'date',
    requested_funding: 'bigint',
    approved_funding: 'bigint',
    milestones_total: 'integer',
    milestones_accepted: 'integer',
    rectifications_total: 'integer',
    rectifications_open: 'integer',
    contracts: 'integer',
    contract_amount: 'bigint',
    bank_paid: 'bigint',
    r1_awarded: 'bigint',
    r2_granted: 'bigint',
    r2_clawed_back: 'bigint',
    latest_grade: 'text',
    cycle_months: 'integer',
    acceptance_window_months: 'integer',
    last_event_at: 'timestamptz',
    original_acceptance_deadline: 'date',
    extension_approved_on: 'date',
    bureau_code: 'text',
    bureau_path: 'text',
    county_code: 'text',
  },
});

export interface MilestoneRow {
  milestone_key: string;
  project_id: string;
  milestone_id: string;
  title: string;
  due_on: string;
  /** pending, reported, accepted or returned. */
  status: string;
  reported_on: string | null;
  accepted_on: string | null;
  returned_count: number;
  bureau_code: string;
  bureau_path: string;
}

export const milestones = table<MilestoneRow>({
  name: 'milestones',
  key: 'milestone_key',
  // accepted_on: the milestones open on a day (accepted_on is null or later), as the due items read them.
  indexes: ['project_id', 'due_on, milestone_key', 'bureau_path text_pattern_ops', 'accepted_on'],
  scope: 'bureau_path',
  columns: {
    milestone_key: 'text',
    project_id: 'text',
    milestone_id: 'text',
    title: 'text',
    due_on: 'date',
    status: 'text',
    reported_on: 'date',
    accepted_on: 'date',
    returned_count: 'integer',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});

export interface RectificationRow {
  rectification_key: string;
  project_id: string;
  rectification_id: string;
  issue: string;
  ordered_on: string;
  due_on: string;
  /** open or completed. */
  status: string;
  completed_on: string | null;
  late: boolean | null;
  bureau_code: string;
  bureau_path: string;
}

export const rectifications = table<RectificationRow>({
  name: 'rectifications',
  key: 'rectification_key',
  indexes: ['project_id', 'due_on, rectification_key', 'bureau_path text_pattern_ops'],
  scope: 'bureau_path',
  columns: {
    rectification_key: 'text',
    project_id: 'text',
    rectification_id: 'text',
    issue: 'text',
    ordered_on: 'date',
    due_on: 'date',
    status: 'text',
    completed_on: 'date',
    late: 'boolean',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});

export interface ReviewAssignmentRow {
  assignment_key: string;
  project_id: string;
  reviewer_id: string;
  reviewer_name: string;
  assigned_on: string;
  /** assigned, scored, or conflict (the reviewer declared a conflict of interest and may not score). */
  status: string;
  score: number | null;
  scored_on: string | null;
  conflict_declared_on: string | null;
  bureau_code: string;
  bureau_path: string;
}

/** Expert reviewers' assignments: each reviewer's own worklist (issue 20), one row per project and reviewer. */
export const reviewAssignments = table<ReviewAssignmentRow>({
  name: 'review_assignments',
  key: 'assignment_key',
  indexes: ['reviewer_id, assignment_key', 'project_id', 'bureau_path text_pattern_ops'],
  scope: 'bureau_path',
  columns: {
    assignment_key: 'text',
    project_id: 'text',
    reviewer_id: 'text',
    reviewer_name: 'text',
    assigned_on: 'date',
    status: 'text',
    score: 'integer',
    scored_on: 'date',
    conflict_declared_on: 'date',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});
