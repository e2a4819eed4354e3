import {
  addMonths,
  bankReference,
  compareDates,
  decideApproval,
  decideContractPayment,
  LEGACY_BUREAU_CODE,
  ledgerOf,
  programme,
  project,
  r2Ledger,
  type Actor,
  type BankReferenceState,
  type ProgrammeSnapshot,
  type ProgrammeState,
  type ProjectState,
  type R2LedgerState,
} from '@gongguan/domain';
import { on, onProject } from './commands.js';
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
  /**
   * An officer of the applicant's county bureau, who may recommend the proposal (推荐) to a
   * programme of a bureau above the county; none for a county's own programme.
   */
  recommender?: Actor;
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
    countyCode: plan.lead.countyCode,
    principalInvestigator: { name: `${random.pick(surnames)}${random.pick(givenNames)}${random.pick(givenNames)}`, title: '高级工程师' },
    keyTechnologies: [plan.title.replace(/关键技术攻关$/, '')],
    requestedFunding: random.int(50, 500) * 1_000_000,
  }, officer, date);
  if (plan.recommender !== undefined && random.chance(0.6)) onProject(world, id, 'RecommendProject', { county: plan.lead.county, comment: '县级科技局推荐' }, plan.recommender, date);

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
  // Selection within the quota as the lifecycle API decides it: one decision over the programme and the project.
  const approval = world.execAcross(
    [
      { decider: asEvolving(programme.decider), stream: programme.streamName(plan.programme.programmeId) },
      { decider: asEvolving(project.decider), stream: project.streamName(id) },
    ],
    ([programmeState, projectState]) => {
      const decided = decideApproval({ actor: approver, at: on(date) }, { programme: programmeState as ProgrammeState, project: projectState as ProjectState });
      return [decided.programme, decided.project];
    },
    approver,
    date,
  );
  if (approval === 'QUOTA_REACHED') {
    onProject(world, id, 'RejectProject', { reason: '立项名额已满' }, approver, date);
    return;
  }
  if (approval !== undefined) throw new Error(`generator bug: approving ${id} refused with ${approval}`);
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

/** How an R2/R3 entitlement names its ledger's bureau: not at all for the legacy bureau (its ledgers keep their names). */
export const bureauOfLedger = (bureauCode: string): { bureauCode?: string } => (bureauCode === LEGACY_BUREAU_CODE ? {} : { bureauCode });

type Evolving = { evolve(state: unknown, event: { type: string; data: unknown }): unknown; initialState: unknown };
const asEvolving = (decider: unknown): Evolving => decider as Evolving;

/** How the lifecycle API names a contract payment in the bank-reference registry (at most 64 characters). */
function claimantId(projectId: string, paymentId: string): string {
  const readable = `${projectId}.${paymentId}`;
  return readable.length <= 64 ? readable : readable.slice(-64).replace(/^[^A-Za-z0-9]+/, '');
}

/**
 * A bank payment as the lifecycle API confirms it: one decision (`decideContractPayment`) over the
 * bank reference, the project and the beneficiary's enterprise-year R2 ledger, so no payment is
 * ever left pending assessment; then the R2 subsidy it grants is paid.
 */
export function assessPayment(
  ctx: StoryContext,
  plan: ProjectPlan,
  payment: { paymentId: string; contractId: string; amount: number; bankReference: string; paidOn: string },
  officer: Actor,
): void {
  const { world } = ctx;
  const projectStream = project.streamName(plan.projectId);
  const command = { type: 'ConfirmContractPayment' as const, actor: officer, at: on(payment.paidOn), data: payment };
  // The ledger follows from the payment (beneficiary and paid-on year): decided once to learn it, as the API does.
  const confirmed = project.decider.decide(command, world.state<ProjectState>(projectStream) ?? project.decider.initialState)
    .find((e) => e.type === 'ContractPaymentConfirmed');
  if (confirmed?.type !== 'ContractPaymentConfirmed') throw new Error(`generator bug: ${plan.projectId} did not confirm ${payment.paymentId}`);
  const ledger = ledgerOf(confirmed.data, plan.programme.bureauCode);
  let granted = 0;
  const refused = world.execAcross(
    [
      { decider: asEvolving(bankReference.decider), stream: bankReference.streamName(payment.bankReference) },
      { decider: asEvolving(project.decider), stream: projectStream },
      { decider: asEvolving(r2Ledger.decider), stream: ledger },
    ],
    ([reference, projectState, ledgerState]) => {
      const decided = decideContractPayment(
        { actor: officer, at: command.at, data: payment, claimantId: claimantId(plan.projectId, payment.paymentId) },
        { bankReference: reference as BankReferenceState, project: projectState as ProjectState, ledger: ledgerState as R2LedgerState },
      );
      const assessed = decided.ledger.find((e) => e.type === 'R2PaymentAssessed');
      granted = assessed?.type === 'R2PaymentAssessed' ? assessed.data.subsidyGranted : 0;
      return [decided.bankReference, decided.project, decided.ledger];
    },
    officer,
    payment.paidOn,
  );
  if (refused !== undefined) throw new Error(`generator bug: the payment ${payment.paymentId} of ${plan.projectId} refused with ${refused}`);
  if (granted > 0) {
    pay(ctx, {
      disbursementId: `r2-${payment.paymentId}`,
      entitlement: { rule: 'R2', ...bureauOfLedger(plan.programme.bureauCode), creditCode: confirmed.data.enterpriseCreditCode, year: Number(payment.paidOn.slice(0, 4)), projectId: plan.projectId, paymentId: payment.paymentId },
      payee: { name: plan.lead.name, creditCode: confirmed.data.enterpriseCreditCode },
      requestedOn: later(ctx, payment.paidOn, 5, 30),
    });
  }
}

/**
 * A refunded bank payment as the lifecycle API records it: the reversal on the project, its
 * assessment on the ledger and the result recorded back, one decision (one correlation); then
 * the excess clawed back from what was paid.
 */
export function reversePayment(ctx: StoryContext, plan: ProjectPlan, paymentId: string, paidOn: string, officer: Actor): void {
  const { world } = ctx;
  const reversedOn = later(ctx, paidOn, 20, 120);
  if (!happened(ctx, reversedOn) || reversedOn.slice(0, 4) !== paidOn.slice(0, 4)) return;
  const projectStream = project.streamName(plan.projectId);
  const projectState = world.state<ProjectState>(projectStream);
  const confirmed = projectState?.payments[paymentId];
  if (projectState === undefined || confirmed === undefined) throw new Error(`generator bug: ${plan.projectId} has no payment ${paymentId} to reverse`);
  const ledger = ledgerOf(confirmed, projectState.bureauCode);
  const at = on(reversedOn);
  const reason = '买方退款';
  const refused = world.execAcross(
    [
      { decider: asEvolving(r2Ledger.decider), stream: ledger },
      { decider: asEvolving(project.decider), stream: projectStream },
    ],
    ([ledgerState, projectState]) => {
      const reversed = project.decider.decide({ type: 'ReverseContractPayment', actor: officer, at, data: { paymentId, reversedOn, reason } }, projectState as ProjectState);
      const ledgerEvents = r2Ledger.decider.decide({ type: 'AssessR2Reversal', actor: officer, at, data: { projectId: plan.projectId, paymentId, reversedOn, reason } }, ledgerState as R2LedgerState);
      const assessed = ledgerEvents.find((e) => e.type === 'R2ReversalAssessed');
      if (assessed?.type !== 'R2ReversalAssessed') throw new Error(`generator bug: ${ledger} did not assess the reversal of ${paymentId}`);
      const recorded = project.decider.decide(
        { type: 'RecordSubsidyAssessment', actor: officer, at, data: { paymentId, step: 'reversal', ledgerStream: ledger, subsidyGranted: 0, clawback: assessed.data.clawback } },
        reversed.reduce(project.decider.evolve, projectState as ProjectState),
      );
      return [ledgerEvents, [...reversed, ...recorded]];
    },
    officer,
    reversedOn,
  );
  if (refused !== undefined) throw new Error(`generator bug: reversing ${paymentId} of ${plan.projectId} refused with ${refused}`);
  reclaim(ctx, ledger, 'R2', reversedOn, '合同款退回，追回补助');
}
