import { compareDates, type Actor, type ProjectState } from '@gongguan/domain';
import { onProject } from './commands.js';
import { bankReferenceFor, happened, later, type StoryContext } from './context.js';
import { enterprise } from './catalogue.js';
import { assessPayment, reversePayment, type ProjectPlan } from './project-story.js';

/** Stage 3: conversion contracts and their bank payments (R2), acceptance, closing, annual grades. */
export function promotion(ctx: StoryContext, id: string, plan: ProjectPlan, officer: Actor, approver: Actor): void {
  const { world, random } = ctx;
  const project = () => world.state<ProjectState>(`project-${id}`);
  const endOn = project()?.taskBook?.endOn ?? ctx.today;
  const contracts = random.int(0, 3);
  let paymentNo = 0;
  let day = later(ctx, lastMilestoneDate(ctx, id) ?? endOn, 10, 60);
  let last = day;
  for (let c = 1; c <= contracts; c++) {
    if (!happened(ctx, day)) return;
    const contractId = `c${c}`;
    const amount = random.int(5, 60) * 10_000_000;
    // The project's enterprise takes the achievement on (受让方) and pays for it by bank.
    const transferor = enterprise(random, 90_000 + random.int(0, 9999));
    onProject(world, id, 'RegisterConversionContract', {
      contractId,
      title: `技术成果转让合同${c}`,
      transferor: { name: transferor.name, creditCode: transferor.creditCode },
      transferee: { name: plan.lead.name, creditCode: plan.lead.creditCode },
      amount,
      signedOn: day,
    }, officer, day);
    let left = amount;
    const instalments = random.int(1, 2);
    for (let i = 1; i <= instalments && left > 0; i++) {
      const paidOn = later(ctx, day, 15, 120);
      if (!happened(ctx, paidOn)) return;
      const part = i === instalments ? left : Math.floor(left / 2);
      left -= part;
      const paymentId = `${id}-pay${++paymentNo}`;
      assessPayment(ctx, plan, { paymentId, contractId, amount: part, bankReference: bankReferenceFor(ctx, 'TZBANK', paidOn), paidOn }, officer);
      if (random.chance(0.03)) reversePayment(ctx, plan, paymentId, paidOn, officer);
      day = paidOn;
    }
    last = day;
    day = later(ctx, day, 10, 90);
  }
  if (compareDates(last, endOn) < 0) last = endOn;
  const appliedOn = later(ctx, last, -30, 60);
  if (!happened(ctx, appliedOn)) return;
  if (random.chance(0.04)) return; // never applies: acceptance becomes overdue
  // Within the six-month window after the end date.
  const limit = later(ctx, endOn, 170, 175);
  const applied = compareDates(appliedOn, limit) > 0 ? limit : appliedOn;
  if (!happened(ctx, applied)) return;
  onProject(world, id, 'ApplyForAcceptance', { appliedOn: applied, summary: '完成全部任务指标' }, officer, applied);
  const concluded = later(ctx, applied, 20, 60);
  if (!happened(ctx, concluded)) return;
  const roll = random.next();
  const result = roll < 0.85 ? 'passed' : roll < 0.95 ? 'passed_after_rectification' : 'failed';
  onProject(world, id, 'ConcludeAcceptance', { result, concludedOn: concluded }, approver, concluded);
  const closed = later(ctx, concluded, 5, 20);
  if (!happened(ctx, closed)) return;
  const approvedYear = Number((project()?.taskBook?.startOn ?? closed).slice(0, 4));
  for (let year = approvedYear; year < Number(closed.slice(0, 4)); year++) {
    if (random.chance(0.5)) {
      onProject(world, id, 'GradeAnnualPerformance', { year, grade: random.pick(['excellent', 'good', 'good', 'qualified', 'unqualified'] as const) }, approver, closed);
    }
  }
  onProject(world, id, 'CloseProject', { comment: '项目结题' }, officer, closed);
}

/** About when the project entered promotion: its last milestone report. */
function lastMilestoneDate(ctx: StoryContext, id: string): string | undefined {
  const state = ctx.world.state<ProjectState>(`project-${id}`);
  const reported = Object.values(state?.milestones ?? {}).map((m) => m.reportedOn ?? m.dueOn);
  return reported.sort().at(-1);
}
