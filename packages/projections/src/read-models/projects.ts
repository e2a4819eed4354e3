import { acceptanceDeadline, cycleEnd, toShanghaiDate } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import type { RowStore } from '../engine/row-store.js';
import { domainStreams, type Projection } from '../projection.js';
import { bureauOf, bureaus, registryHandlers } from './bureaus.js';
import { milestones, programmes, projects, rectifications, reviewAssignments, type ProjectRow } from './project-tables.js';

/** The bureau of a project's row, for the rows that hang off it (milestones, rectifications). */
function projectBureau(rows: RowStore, projectId: string): { bureau_code: string; bureau_path: string } {
  const p = rows.get(projects, projectId);
  if (p === undefined) throw new Error(`project ${projectId} was never submitted`);
  return { bureau_code: p.bureau_code, bureau_path: p.bureau_path };
}

const day = (at: string): string => toShanghaiDate(at);

/** Changes a project row and stamps it with the event's recorded time. */
function change(rows: RowStore, projectId: string, event: RecordedEvent, patch: (row: ProjectRow) => Partial<ProjectRow>): void {
  rows.update(projects, projectId, (row) => ({ ...row, ...patch(row), last_event_at: event.metadata.recordedAt }));
}

const ended = (reason: string | null, at: string) => ({ ended_on: day(at), end_reason: reason });

/**
 * Programmes, projects (status, stage, dates, money on the project stream), milestones and
 * rectifications: everything a project officer looks at, from the programme and project streams.
 */
export const projectsProjection: Projection = {
  name: 'projects',
  // 2: end dates are inclusive (TaskBookSigned/ExtensionApproved v2): a rebuild recomputes them.
  // 3: original_acceptance_deadline and extension_approved_on, so "overdue" on a past day uses the deadline then in force.
  // 4: bureau_code and bureau_path on every row (issue 18), the bureaus table, rows moved when a bureau is merged.
  // 6: programmes' status, withdrawn_on and amended_on; corrections of windows and policies, withdrawals (issue 19).
  // 7: corrections (issue 19): a milestone's corrected dates, a contract's corrected amount.
  // 8: review_assignments, each expert reviewer's assignments, declarations and scores (issue 20).
  version: 8,
  description: 'programmes, project status, milestone calendar, rectifications, bureaus',
  tables: [programmes, projects, milestones, rectifications, reviewAssignments, bureaus],
  streams: [domainStreams.programme, domainStreams.project, domainStreams.bureauRegistry],
  handlers: {
    ...registryHandlers,
    ProgrammeLaunched: (rows, d) =>
      rows.put(programmes, {
        programme_id: d.programmeId,
        name: d.name,
        bureau: d.bureau,
        quota: d.quota,
        focus_industries: d.focusIndustries,
        policy: d.policy,
        launched_on: day(d.at),
        opens_on: null,
        closes_on: null,
        closed_on: null,
        slots_taken: 0,
        ...bureauOf(rows, d.bureauCode),
        status: 'launched',
        withdrawn_on: null,
        amended_on: null,
      }),
    SolicitationOpened: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, opens_on: d.opensOn, closes_on: d.closesOn })),
    SolicitationClosed: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, closed_on: d.closedOn })),
    FocusIndustriesSet: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, focus_industries: d.focusIndustries })),
    SelectionSlotReserved: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, slots_taken: p.slots_taken + 1 })),
    SelectionSlotReleased: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, slots_taken: p.slots_taken - 1 })),
    // Corrections (issue 19): the row shows what is in force; the audit API shows the original beside it.
    SolicitationWindowAmended: (rows, d) =>
      rows.update(programmes, d.programmeId, (p) => ({ ...p, opens_on: d.opensOn, closes_on: d.closesOn, closed_on: null, amended_on: day(d.at) })),
    ProgrammePolicyAmended: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, policy: d.policy, amended_on: day(d.at) })),
    ProgrammeWithdrawn: (rows, d) => rows.update(programmes, d.programmeId, (p) => ({ ...p, status: 'withdrawn', withdrawn_on: d.withdrawnOn })),

    ProjectSubmitted: (rows, d, e) => {
      rows.put(projects, {
        project_id: d.projectId,
        programme_id: d.programmeId,
        title: d.title,
        industry: d.industry,
        county: d.county,
        lead_name: d.leadEnterprise.name,
        lead_credit_code: d.leadEnterprise.creditCode,
        principal_investigator: d.principalInvestigator.name,
        status: 'submitted',
        stage: 'solicitation',
        suspended: false,
        submitted_on: d.submittedOn,
        submitted_by: d.by.id,
        recommended: false,
        approved_on: null,
        slot: null,
        ended_on: null,
        end_reason: null,
        start_on: null,
        end_on: null,
        original_end_on: null,
        extension_status: null,
        extension_months: 0,
        acceptance_deadline: null,
        acceptance_applied_on: null,
        acceptance_result: null,
        acceptance_concluded_on: null,
        requested_funding: d.requestedFunding,
        approved_funding: null,
        milestones_total: 0,
        milestones_accepted: 0,
        rectifications_total: 0,
        rectifications_open: 0,
        contracts: 0,
        contract_amount: 0,
        bank_paid: 0,
        r1_awarded: 0,
        r2_granted: 0,
        r2_clawed_back: 0,
        latest_grade: null,
        cycle_months: d.policy.cycleMonths,
        acceptance_window_months: d.policy.acceptanceWindowMonths,
        last_event_at: e.metadata.recordedAt,
        original_acceptance_deadline: null,
        extension_approved_on: null,
        ...bureauOf(rows, d.bureauCode),
        county_code: d.countyCode ?? null,
      });
    },
    ProjectRecommendedByCounty: (rows, d, e) => change(rows, d.projectId, e, () => ({ recommended: true })),
    FormalReviewPassed: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'in_expert_review' })),
    FormalReviewFailed: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'rejected', ...ended(d.reasons.join('; '), d.at) })),
    ExpertReviewerAssigned: (rows, d) =>
      rows.put(reviewAssignments, {
        assignment_key: `${d.projectId}/${d.reviewerId}`,
        project_id: d.projectId,
        reviewer_id: d.reviewerId,
        reviewer_name: d.name,
        assigned_on: day(d.at),
        status: 'assigned',
        score: null,
        scored_on: null,
        conflict_declared_on: null,
        ...projectBureau(rows, d.projectId),
      }),
    ConflictOfInterestDeclared: (rows, d) =>
      rows.update(reviewAssignments, `${d.projectId}/${d.reviewerId}`, (r) => ({ ...r, status: 'conflict', conflict_declared_on: day(d.at) })),
    ExpertScoreRecorded: (rows, d) =>
      rows.update(reviewAssignments, `${d.projectId}/${d.reviewerId}`, (r) => ({ ...r, status: 'scored', score: d.score, scored_on: day(d.at) })),
    PublicityStarted: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'in_publicity' })),
    ProjectApproved: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'approved', approved_on: d.approvedOn, slot: d.slot })),
    ProjectRejected: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'rejected', ...ended(d.reason, d.at) })),
    ProposalWithdrawn: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'withdrawn', ended_on: d.withdrawnOn, end_reason: d.reason })),
    TaskBookSigned: (rows, d, e) => {
      change(rows, d.projectId, e, (p) => ({
        status: 'in_progress',
        start_on: d.startOn,
        end_on: d.endOn,
        original_end_on: d.endOn,
        acceptance_deadline: acceptanceDeadline(d.endOn, p.acceptance_window_months),
        original_acceptance_deadline: acceptanceDeadline(d.endOn, p.acceptance_window_months),
        approved_funding: d.approvedFunding,
        milestones_total: d.milestones.length,
      }));
      const owner = projectBureau(rows, d.projectId);
      for (const m of d.milestones) {
        rows.put(milestones, {
          milestone_key: `${d.projectId}/${m.milestoneId}`,
          project_id: d.projectId,
          milestone_id: m.milestoneId,
          title: m.title,
          due_on: m.dueOn,
          status: 'pending',
          reported_on: null,
          accepted_on: null,
          returned_count: 0,
          ...owner,
        });
      }
    },
    StageAdvanced: (rows, d, e) => change(rows, d.projectId, e, () => ({ stage: d.to })),

    MilestoneReported: (rows, d) =>
      rows.update(milestones, `${d.projectId}/${d.milestoneId}`, (m) => ({ ...m, status: 'reported', reported_on: d.reportedOn })),
    MilestoneAccepted: (rows, d, e) => {
      rows.update(milestones, `${d.projectId}/${d.milestoneId}`, (m) => ({ ...m, status: 'accepted', accepted_on: day(d.at) }));
      change(rows, d.projectId, e, (p) => ({ milestones_accepted: p.milestones_accepted + 1 }));
    },
    // A corrected date replaces the recorded one: the due items read the corrected due date.
    MilestoneDateCorrected: (rows, d, e) => {
      rows.update(milestones, `${d.projectId}/${d.milestoneId}`, (m) => (d.field === 'dueOn' ? { ...m, due_on: d.date } : { ...m, reported_on: d.date }));
      change(rows, d.projectId, e, () => ({}));
    },
    MilestoneReturned: (rows, d) =>
      rows.update(milestones, `${d.projectId}/${d.milestoneId}`, (m) => ({ ...m, status: 'returned', returned_count: m.returned_count + 1 })),
    RectificationOrdered: (rows, d, e) => {
      rows.put(rectifications, {
        rectification_key: `${d.projectId}/${d.rectificationId}`,
        project_id: d.projectId,
        rectification_id: d.rectificationId,
        issue: d.issue,
        ordered_on: day(d.at),
        due_on: d.dueOn,
        status: 'open',
        completed_on: null,
        late: null,
        ...projectBureau(rows, d.projectId),
      });
      change(rows, d.projectId, e, (p) => ({ rectifications_total: p.rectifications_total + 1, rectifications_open: p.rectifications_open + 1 }));
    },
    RectificationCompleted: (rows, d, e) => {
      rows.update(rectifications, `${d.projectId}/${d.rectificationId}`, (r) => ({ ...r, status: 'completed', completed_on: d.completedOn, late: d.late }));
      change(rows, d.projectId, e, (p) => ({ rectifications_open: p.rectifications_open - 1 }));
    },
    ExtensionRequested: (rows, d, e) => change(rows, d.projectId, e, () => ({ extension_status: 'pending' })),
    ExtensionApproved: (rows, d, e) =>
      change(rows, d.projectId, e, (p) => {
        // v1 events carry no end (see the domain's ExtensionApproved schema): derive it as the decider does.
        const endOn = d.newEndOn ?? (p.start_on === null ? p.end_on : cycleEnd(p.start_on, p.cycle_months, d.months));
        return {
          extension_status: 'approved',
          extension_approved_on: day(d.at),
          extension_months: d.months,
          end_on: endOn,
          acceptance_deadline: endOn === null ? p.acceptance_deadline : acceptanceDeadline(endOn, p.acceptance_window_months),
        };
      }),
    ExtensionRejected: (rows, d, e) => change(rows, d.projectId, e, () => ({ extension_status: 'rejected' })),
    ProjectSuspended: (rows, d, e) => change(rows, d.projectId, e, () => ({ suspended: true })),
    ProjectResumed: (rows, d, e) => change(rows, d.projectId, e, () => ({ suspended: false })),
    ProjectTerminated: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'terminated', suspended: false, ...ended(d.reason, d.at) })),
    ChangeApproved: (rows, d, e) =>
      change(rows, d.projectId, e, () =>
        d.change.kind === 'budget'
          ? { approved_funding: d.change.budget }
          : d.change.kind === 'principal_investigator'
            ? { principal_investigator: d.change.principalInvestigator.name }
            : {},
      ),

    SelectionGrantAwarded: (rows, d, e) => change(rows, d.projectId, e, (p) => ({ r1_awarded: p.r1_awarded + d.amount })),
    ConversionContractRegistered: (rows, d, e) =>
      change(rows, d.projectId, e, (p) => ({ contracts: p.contracts + 1, contract_amount: p.contract_amount + d.amount })),
    MoneyCorrectionApproved: (rows, d, e) =>
      change(rows, d.projectId, e, (p) => (d.correction.kind === 'contract_amount' ? { contract_amount: p.contract_amount - d.correction.previousAmount + d.correction.amount } : {})),
    ContractPaymentConfirmed: (rows, d, e) => change(rows, d.projectId, e, (p) => ({ bank_paid: p.bank_paid + d.amount })),
    ContractPaymentReversed: (rows, d, e) => change(rows, d.projectId, e, (p) => ({ bank_paid: p.bank_paid - d.amount })),
    SubsidyAssessmentRecorded: (rows, d, e) =>
      change(rows, d.projectId, e, (p) => ({ r2_granted: p.r2_granted + d.subsidyGranted, r2_clawed_back: p.r2_clawed_back + d.clawback })),
    AcceptanceApplied: (rows, d, e) =>
      change(rows, d.projectId, e, () => ({ status: 'acceptance_applied', acceptance_applied_on: d.appliedOn })),
    AcceptanceConcluded: (rows, d, e) =>
      change(rows, d.projectId, e, () => ({ status: 'acceptance_concluded', acceptance_result: d.result, acceptance_concluded_on: d.concludedOn })),
    ProjectClosed: (rows, d, e) => change(rows, d.projectId, e, () => ({ status: 'closed', ...ended(d.comment ?? null, d.at) })),
    PerformanceGraded: (rows, d, e) => change(rows, d.projectId, e, () => ({ latest_grade: d.grade })),
  },
};
