import { addMonths, compareDates, type Actor, type ProgrammeSnapshot, type ProjectState, type R2LedgerState } from '@gongguan/domain';
import { onBankReference, onProgramme, onProject, onR2Ledger } from './commands.js';
import { happened, later, type StoryContext } from './context.js';
import type { Enterprise } from './catalogue.js';
import { pay, reclaim } from './money-steps.js';
import { surnames, givenNames } from './catalogue.js';
import { promotion } from './promotion-story.js';

export interface ProjectPlan {
  projectId: string;
  programme: ProgrammeSnapshot;
  lead: Enterprise;
  partner: Enterprise;
  title: string;
  submittedOn: string;
}

const state = (ctx: StoryContext, projectId: string) => ctx.world.state<ProjectState>(`project-${projectId}`);

/**
 * One project from submission as far as "today" allows: reviews, publicity, approval within the
 * quota, the R1 grant, the task book and its milestones (some late, some returned), supervision,
 * then promotion with contracts, bank payments, R2 subsidies, acceptance and closing.
 */
export function projectStory(ctx: StoryContext, plan: ProjectPlan): void {
  const { world, random } = ctx;
  const id = plan.projectId;
  const officer = random.pick(ctx.officers);
  const approver = random.pick(ctx.approvers);
  let date = plan.submittedOn;
  onProject(world, id, 'SubmitProject', {
    projectId: id,
    programme: plan.programme,
    title: plan.title,
    leadEnterprise: { name: plan.lead.name, creditCode: plan.lead.creditCode },
    partners: [{ name: plan.partner.name, creditCode: plan.partner.creditCode }],
    industry: plan.lead.industry,
    county: plan.lead.county,
    principalInvestigator: { name: `${random.pick(surnames)}${random.pick(givenNames)}${random.pick(givenNames)}`, title: '高级工程师' },
    keyTechnologies: [plan.title.replace(/关键技术攻关$/, '')],
    requestedFunding: random.int(50, 500) * 1_000_000,
  }, officer, date);
  if (random.chance(0.6)) onProject(world, id, 'RecommendProject', { county: plan.lead.county, comment: '县级科技局推荐' }, officer, date);

  date = later(ctx, date, 3, 15);
  if (!happened(ctx, date)) return;
  if (random.chance(0.08)) {
    onProject(world, id, 'RecordFormalReview', { passed: false, reasons: ['申报材料不完整'] }, officer, date);
    return;
  }
  onProject(world, id, 'RecordFormalReview', { passed: true, reasons: [] }, officer, date);
  date = later(ctx, date, 2, 6);
  if (!happened(ctx, date)) return;
  const panel = new Set<number>();
  while (panel.size < 3) panel.add(random.int(0, ctx.reviewers.length - 1));
  const reviewers = [...panel].flatMap((i) => (ctx.reviewers[i] ? [ctx.reviewers[i]] : []));
  for (const r of reviewers) {
    onProject(world, id, 'AssignExpertReviewer', { reviewerId: r.id, name: r.name, employerCreditCode: r.employerCreditCode }, officer, date);
  }
  date = later(ctx, date, 5, 15);
  if (!happened(ctx, date)) return;
  let total = 0;
  for (const [i, r] of reviewers.entries()) {
    if (i === 0 && random.chance(0.05)) {
      onProject(world, id, 'DeclareConflictOfInterest', { reason: '曾为申报单位提供咨询' }, { id: r.id, role: 'reviewer' }, date);
      continue;
    }
    const score = random.int(55, 98);
    total += score;
    onProject(world, id, 'ScoreProject', { score }, { id: r.id, role: 'reviewer' }, date);
  }
  if (total / 3 < 70) {
    date = later(ctx, date, 3, 10);
    if (happened(ctx, date)) onProject(world, id, 'RejectProject', { reason: '专家评审得分未达立项标准' }, approver, date);
    return;
  }
  date = later(ctx, date, 3, 10);
  if (!happened(ctx, date)) return;
  onProject(world, id, 'StartPublicity', { startsOn: date }, officer, date);
  const publicityEnd = state(ctx, id)?.publicity?.endsOn ?? date;
  if (random.chance(0.04)) {
    const lodged = later(ctx, date, 1, 5);
    if (!happened(ctx, lodged)) return;
    onProject(world, id, 'LodgeObjection', { objectionId: 'obj-1', lodgedOn: lodged, summary: '对合作单位资质提出异议' }, officer, lodged);
    onProject(world, id, 'ResolveObjection', { objectionId: 'obj-1', upheld: false, resolution: '经核实，异议不成立' }, officer, later(ctx, lodged, 0, 1));
  }
  date = later(ctx, publicityEnd, 1, 4);
  if (!happened(ctx, date)) return;
  const programmeId = plan.programme.programmeId;
  if (onProgramme(world, programmeId, 'ReserveSelectionSlot', { projectId: id }, approver, date, ['QUOTA_REACHED']) !== undefined) {
    onProject(world, id, 'RejectProject', { reason: '立项名额已满' }, approver, date);
    return;
  }
  const slot = ctx.world.state<{ reservations: Record<string, number>; quota: number }>(`programme-${programmeId}`);
  onProject(world, id, 'ApproveProject', { selection: { programmeId, slot: slot?.reservations[id] ?? 1, quota: slot?.quota ?? 1 } }, approver, date);
  const approvedOn = date;

  const r1Day = later(ctx, approvedOn, 5, 30);
  if (happened(ctx, r1Day)) {
    const grantOfficer = random.pick(ctx.finance);
    onProject(world, id, 'AwardSelectionGrant', { disbursementId: `r1-${id}` }, grantOfficer, r1Day);
    pay(ctx, {
      disbursementId: `r1-${id}`,
      entitlement: { rule: 'R1', projectId: id },
      payee: { name: plan.lead.name, creditCode: plan.lead.creditCode },
      requestedOn: r1Day,
    });
  }

  const startOn = later(ctx, approvedOn, 10, 30);
  if (!happened(ctx, startOn)) return;
  const count = random.int(3, 4);
  const milestones = Array.from({ length: count }, (_, i) => ({
    milestoneId: `m${i + 1}`,
    title: ['完成方案设计与仿真', '完成样机试制', '完成中试与检测', '形成产业化能力'][i] ?? `节点${i + 1}`,
    dueOn: addMonths(startOn, Math.round(((i + 1) * 22) / count)),
  }));
  onProject(world, id, 'SignTaskBook', {
    startOn,
    approvedFunding: random.int(30, 300) * 1_000_000,
    milestones,
    indicators: [{ name: '关键性能指标', target: '达到国内领先水平' }],
  }, officer, startOn);

  if (!advancement(ctx, id, officer, approver, startOn, milestones)) return;
  promotion(ctx, id, plan, officer, approver);
}

/** Stage 2: milestones, visits, the mid-term check, rectifications, maybe an extension or worse. */
function advancement(
  ctx: StoryContext,
  id: string,
  officer: Actor,
  approver: Actor,
  startOn: string,
  milestones: ReadonlyArray<{ milestoneId: string; dueOn: string }>,
): boolean {
  const { world, random } = ctx;
  const checker = random.pick(ctx.officers.filter((o) => o.id !== officer.id));
  let last = startOn;
  if (random.chance(0.08)) {
    const endOn = state(ctx, id)?.taskBook?.endOn ?? startOn;
    const asked = addMonths(endOn, -random.int(4, 8));
    if (happened(ctx, asked)) {
      onProject(world, id, 'RequestExtension', { months: random.pick([6, 12]), reason: '关键设备到货延迟' }, officer, asked);
      const decided = later(ctx, asked, 5, 20);
      if (happened(ctx, decided)) onProject(world, id, 'DecideExtension', { approved: random.chance(0.8) }, approver, decided);
    }
  }
  for (const [i, m] of milestones.entries()) {
    const late = random.chance(0.15);
    const reportedOn = later(ctx, m.dueOn, late ? 5 : -25, late ? 90 : 0);
    if (compareDates(reportedOn, last) < 0 || !happened(ctx, reportedOn)) return false;
    if (random.chance(0.01)) {
      onProject(world, id, 'TerminateProject', { reason: '企业经营困难，无法继续实施' }, approver, reportedOn);
      return false;
    }
    onProject(world, id, 'ReportMilestone', { milestoneId: m.milestoneId, reportedOn, summary: '按计划完成节点任务', evidence: [`${m.milestoneId}-报告.pdf`] }, officer, reportedOn);
    let decided = later(ctx, reportedOn, 3, 12);
    if (!happened(ctx, decided)) return false;
    if (random.chance(0.08)) {
      onProject(world, id, 'ReturnMilestone', { milestoneId: m.milestoneId, reason: '佐证材料不足' }, checker, decided);
      const again = later(ctx, decided, 7, 25);
      if (!happened(ctx, again)) return false;
      onProject(world, id, 'ReportMilestone', { milestoneId: m.milestoneId, reportedOn: again, summary: '补充材料后重新报送', evidence: [`${m.milestoneId}-补充.pdf`] }, officer, again);
      decided = later(ctx, again, 3, 10);
      if (!happened(ctx, decided)) return false;
    }
    onProject(world, id, 'AcceptMilestone', { milestoneId: m.milestoneId }, checker, decided);
    last = decided;
    if (random.chance(0.3)) {
      const visited = later(ctx, decided, 5, 40);
      if (happened(ctx, visited)) onProject(world, id, 'RecordTrackingVisit', { visitId: `v${i + 1}`, visitedOn: visited, findings: '现场查看研发进展' }, officer, visited);
    }
    if (i === 1) {
      const checked = later(ctx, decided, 1, 15);
      if (!happened(ctx, checked)) return false;
      onProject(world, id, 'RecordMidTermCheck', { checkedOn: checked, result: random.pick(['on_track', 'on_track', 'behind_schedule', 'at_risk'] as const), findings: '中期检查' }, officer, checked);
      last = checked;
      if (random.chance(0.2)) {
        const dueOn = later(ctx, checked, 30, 60);
        onProject(world, id, 'OrderRectification', { rectificationId: 'rc1', issue: '经费使用不规范', dueOn }, officer, checked);
        const done = later(ctx, checked, 10, 80);
        if (!happened(ctx, done)) return false;
        onProject(world, id, 'CompleteRectification', { rectificationId: 'rc1', completedOn: done, evidence: '整改报告' }, officer, done);
        if (compareDates(done, last) > 0) last = done;
      }
    }
  }
  const advanced = later(ctx, last, 2, 10);
  if (!happened(ctx, advanced)) return false;
  onProject(world, id, 'AdvanceStage', { to: 'promotion' }, officer, advanced);
  return true;
}

/** Assesses a confirmed bank payment on the enterprise-year R2 ledger and pays the subsidy it grants. */
export function assessPayment(
  ctx: StoryContext,
  plan: ProjectPlan,
  payment: { paymentId: string; contractId: string; amount: number; bankReference: string; paidOn: string },
  officer: Actor,
): void {
  const { world, random } = ctx;
  const year = Number(payment.paidOn.slice(0, 4));
  const ledger = `subsidy-${plan.lead.creditCode}-${year}`;
  const finance = random.pick(ctx.finance);
  onBankReference(world, payment.bankReference, 'ClaimBankReference', { bankReference: payment.bankReference, claimant: { kind: 'contract_payment', id: payment.paymentId } }, officer, payment.paidOn);
  onProject(world, plan.projectId, 'ConfirmContractPayment', payment, officer, payment.paidOn);
  const { r2RateBps, r2Threshold, r2AnnualCap, r2ThresholdMode } = plan.programme.policy;
  const before = world.state<R2LedgerState>(ledger)?.entitlement ?? 0;
  onR2Ledger(world, ledger, 'AssessR2Payment', {
    creditCode: plan.lead.creditCode,
    year,
    policy: { r2RateBps, r2Threshold, r2AnnualCap, r2ThresholdMode },
    projectId: plan.projectId,
    ...payment,
  }, finance, payment.paidOn);
  const granted = (world.state<R2LedgerState>(ledger)?.entitlement ?? 0) - before;
  onProject(world, plan.projectId, 'RecordSubsidyAssessment', { paymentId: payment.paymentId, step: 'payment', ledgerStream: ledger, subsidyGranted: granted, clawback: 0 }, finance, payment.paidOn);
  if (granted > 0) {
    pay(ctx, {
      disbursementId: `r2-${payment.paymentId}`,
      entitlement: { rule: 'R2', creditCode: plan.lead.creditCode, year, projectId: plan.projectId, paymentId: payment.paymentId },
      payee: { name: plan.lead.name, creditCode: plan.lead.creditCode },
      requestedOn: later(ctx, payment.paidOn, 5, 30),
    });
  }
}

/** A refunded bank payment: reversed on the project, re-assessed on the ledger, the excess clawed back. */
export function reversePayment(ctx: StoryContext, plan: ProjectPlan, paymentId: string, paidOn: string, officer: Actor): void {
  const { world } = ctx;
  const reversedOn = later(ctx, paidOn, 20, 120);
  if (!happened(ctx, reversedOn) || reversedOn.slice(0, 4) !== paidOn.slice(0, 4)) return;
  const ledger = `subsidy-${plan.lead.creditCode}-${paidOn.slice(0, 4)}`;
  onProject(world, plan.projectId, 'ReverseContractPayment', { paymentId, reversedOn, reason: '买方退款' }, officer, reversedOn);
  const before = world.state<R2LedgerState>(ledger)?.entitlement ?? 0;
  onR2Ledger(world, ledger, 'AssessR2Reversal', { projectId: plan.projectId, paymentId, reversedOn, reason: '买方退款' }, officer, reversedOn);
  const clawback = before - (world.state<R2LedgerState>(ledger)?.entitlement ?? 0);
  onProject(world, plan.projectId, 'RecordSubsidyAssessment', { paymentId, step: 'reversal', ledgerStream: ledger, subsidyGranted: 0, clawback }, officer, reversedOn);
  reclaim(ctx, ledger, 'R2', reversedOn, '合同款退回，追回补助');
}
