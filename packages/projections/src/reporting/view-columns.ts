import type { ColumnType } from '../table.js';
import { activity } from '../read-models/activity.js';
import { disbursements, movements } from '../read-models/money-tables.js';
import { bureaus } from '../read-models/bureaus.js';

/** The columns of each `reporting.*` view (and `_as_of` function), as readers see them. */
export const reportingColumns = {
  projects: {
    project_id: 'text', programme_id: 'text', title: 'text', industry: 'text', county: 'text', lead_name: 'text', lead_credit_code: 'text',
    principal_investigator: 'text', status: 'text', stage: 'text', suspended: 'boolean', submitted_on: 'date', approved_on: 'date',
    start_on: 'date', end_on: 'date', extension_months: 'integer', acceptance_deadline: 'date', acceptance_applied_on: 'date',
    acceptance_result: 'text', ended_on: 'date', days_left: 'integer', acceptance_overdue: 'boolean',
    requested_funding: 'bigint', approved_funding: 'bigint', milestones_total: 'integer', milestones_accepted: 'integer',
    milestones_overdue: 'integer', milestones_due_30d: 'integer', rectifications_open: 'integer', rectifications_overdue: 'integer',
    money_awarded: 'bigint', money_paid: 'bigint', money_reversed: 'bigint', r1_awarded: 'bigint', r2_granted: 'bigint', r2_clawed_back: 'bigint',
    contracts: 'integer', contract_amount: 'bigint', bank_paid: 'bigint', latest_grade: 'text', last_event_at: 'timestamptz',
    bureau_code: 'text', bureau_path: 'text', county_code: 'text',
  },
  milestones: {
    milestone_key: 'text', project_id: 'text', milestone_id: 'text', title: 'text', due_on: 'date', status: 'text', reported_on: 'date',
    accepted_on: 'date', returned_count: 'integer', programme_id: 'text', project_title: 'text', industry: 'text', county: 'text',
    project_status: 'text', overdue: 'boolean', days_until_due: 'integer', bureau_code: 'text', bureau_path: 'text',
  },
  rectifications: {
    rectification_key: 'text', project_id: 'text', rectification_id: 'text', issue: 'text', ordered_on: 'date', due_on: 'date', status: 'text',
    completed_on: 'date', late: 'boolean', programme_id: 'text', project_title: 'text', industry: 'text', county: 'text', project_status: 'text',
    overdue: 'boolean', days_until_due: 'integer', bureau_code: 'text', bureau_path: 'text',
  },
  due_items: {
    item_key: 'text', kind: 'text', project_id: 'text', item_id: 'text', title: 'text', due_on: 'date', overdue: 'boolean', days_until_due: 'integer',
    programme_id: 'text', project_title: 'text', industry: 'text', county: 'text', bureau_code: 'text', bureau_path: 'text',
  },
  programmes: {
    programme_id: 'text', name: 'text', bureau: 'text', quota: 'integer', slots_taken: 'integer', quota_remaining: 'integer',
    focus_industries: 'jsonb', launched_on: 'date', opens_on: 'date', closes_on: 'date', closed_on: 'date',
    projects_submitted: 'integer', projects_approved: 'integer', projects_active: 'integer', projects_closed: 'integer',
    bureau_code: 'text', bureau_path: 'text',
  },
  portfolio: {
    programme_id: 'text', stage: 'text', status: 'text', industry: 'text', county: 'text', projects: 'integer',
    requested_funding: 'bigint', approved_funding: 'bigint', bureau_code: 'text', bureau_path: 'text',
  },
  review_assignments: {
    assignment_key: 'text', project_id: 'text', reviewer_id: 'text', reviewer_name: 'text', assigned_on: 'date', status: 'text', score: 'integer',
    scored_on: 'date', conflict_declared_on: 'date', programme_id: 'text', project_title: 'text', lead_name: 'text', industry: 'text', county: 'text',
    requested_funding: 'bigint', project_status: 'text', bureau_code: 'text', bureau_path: 'text',
  },
  disbursements: disbursements.columns,
  money_movements: movements.columns,
  enterprise_subsidies: {
    ledger: 'text', credit_code: 'text', year: 'integer', annual_cap: 'bigint', threshold: 'bigint', rate_bps: 'integer', threshold_mode: 'text',
    payments: 'integer', bank_paid: 'bigint', bank_paid_reversed: 'bigint', entitlement: 'bigint', granted: 'bigint', clawed_back: 'bigint',
    cap_remaining: 'bigint', bureau_code: 'text', bureau_path: 'text',
  },
  institution_subsidies: {
    ledger: 'text', credit_code: 'text', year: 'integer', annual_cap: 'bigint', rate_bps: 'integer', transactions: 'integer',
    in_city_volume: 'bigint', volume_reversed: 'bigint', entitlement: 'bigint', granted: 'bigint', clawed_back: 'bigint', cap_remaining: 'bigint',
    bureau_code: 'text', bureau_path: 'text',
  },
  activity: activity.columns,
  bureaus: bureaus.columns,
} as const satisfies Record<string, Readonly<Record<string, ColumnType>>>;

export type ReportingView = keyof typeof reportingColumns;

/** Which projection each view reads (for read-your-writes waits). */
export const viewProjections: Record<ReportingView, readonly string[]> = {
  projects: ['projects', 'money'],
  milestones: ['projects'],
  rectifications: ['projects'],
  due_items: ['projects'],
  programmes: ['projects'],
  portfolio: ['projects'],
  review_assignments: ['projects'],
  disbursements: ['money'],
  money_movements: ['money'],
  enterprise_subsidies: ['money'],
  institution_subsidies: ['money'],
  activity: ['activity'],
  bureaus: ['projects'],
};
