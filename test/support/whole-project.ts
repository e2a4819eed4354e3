import { addDays, toShanghaiDate } from '@gongguan/domain';
import type { caller } from './api.js';
import { CODES, type SetClock } from './story.js';

type Call = ReturnType<typeof caller>;

/** Tokens of everyone who takes part, signed with the server's own development key. */
export interface People {
  alice: string;
  bob: string;
  chen: string;
  ann: string;
  fay: string;
  gus: string;
}

/** What a command answered, and the latest position any answer named. */
export interface Driver {
  must(method: string, path: string, token: string, body: unknown, expected?: number): Promise<Record<string, unknown>>;
  readonly last: string;
}

export function driver(call: Call): Driver {
  let last = '';
  return {
    async must(method, path, token, body, expected) {
      const res = await call(method, path, { token, body });
      if (res.status >= 300 || (expected !== undefined && res.status !== expected)) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
      const steps = Array.isArray(res.body.steps) ? (res.body.steps as Array<{ position?: unknown }>) : [];
      for (const p of [res.body.position, ...steps.map((s) => s.position)]) if (typeof p === 'string' && p > last) last = p;
      return res.body;
    },
    get last() {
      return last;
    },
  };
}

/**
 * The money steps of the story, in one place: the money API is changing (a disbursement will
 * name the entitlement it pays instead of a typed amount), and only these need to follow it.
 */
export function moneySteps(d: Driver, people: People) {
  return {
    /** R1: awarded once with the approval, requested, approved by a second person, paid. */
    async payR1(projectId: string, paidOn: string): Promise<string> {
      await d.must('POST', `/v1/projects/${projectId}/grants/r1`, people.fay, {}, 201);
      const id = `r1-${projectId}`;
      await d.must('POST', `/v1/disbursements/${id}/approval`, people.gus, {});
      await d.must('POST', `/v1/disbursements/${id}/payment`, people.fay, { bankReference: `R1-${projectId}`, paidOn });
      return id;
    },
    /** R2: the subsidy a confirmed bank payment earned on the enterprise's ledger entry, requested (the server sets the amount it still owes), approved and paid. */
    async payR2(projectId: string, paymentId: string, amount: number, paidOn: string): Promise<string> {
      const id = `r2-${projectId}-${paymentId}`;
      const entitlement = { rule: 'R2', creditCode: CODES.lead, year: Number(paidOn.slice(0, 4)), projectId, paymentId };
      await d.must('POST', '/v1/disbursements', people.fay, { disbursementId: id, entitlement, payee: { name: 'Taizhou Pump Co.', creditCode: CODES.lead } }, 201);
      const amountOwed = ((await d.must('GET', `/v1/disbursements/${id}`, people.fay, undefined)).state as { amount?: number }).amount;
      if (amountOwed !== amount) throw new Error(`R2 ${id}: the server set ${String(amountOwed)} fen, the story expects ${amount}`);
      await d.must('POST', `/v1/disbursements/${id}/approval`, people.gus, {});
      await d.must('POST', `/v1/disbursements/${id}/payment`, people.fay, { bankReference: `R2-${projectId}-${paymentId}`, paidOn });
      return id;
    },
    /** The enterprise's payment is refunded by the bank: the reversal re-assesses the ledger and claws back, in the same append, what was paid for it. */
    async refund(projectId: string, paymentId: string, on: string): Promise<void> {
      await d.must('POST', `/v1/projects/${projectId}/payments/${paymentId}/reversal`, people.alice, { reversedOn: on, reason: 'Payment refunded after a quality dispute' });
    },
  };
}

/** What the story did, for the checks of the read models. */
export interface Story {
  programmeId: string;
  projectId: string;
  today: string;
  /** Bank-paid contract payments (fen) by id; `pay2` refunded. */
  payments: Record<string, number>;
  /** Disbursements paid: R1 and the two R2 subsidies, the second one clawed back. */
  disbursements: { r1: string; r2: string[] };
  subsidies: { granted: number; clawedBack: number };
  /** The days the money moved: R1 paid, the R2 subsidies paid, the clawback decided. */
  moneyDays: { r1: string; r2: string; clawback: string };
}

/**
 * One project through every stage over HTTP: launch, solicitation, reviews, publicity, approval,
 * task book, milestones, a rectification, advancement to promotion, a contract with bank payments
 * and their R2 subsidies, R1, a refund with its clawback, acceptance and closing. The business
 * clock (`at`) walks the three months before today (a publicity period must lie ahead of the day
 * it is started, so the approval comes days later) and ends on today, where the reporting API's
 * own clock is.
 */
export async function driveWholeProject(
  d: Driver,
  people: People,
  ids: { programmeId: string; projectId: string },
  at: SetClock,
  /** Runs between the stages (to let the audit service seal tree heads in between). */
  pause: () => Promise<void> = async () => undefined,
): Promise<Story> {
  const today = toShanghaiDate(new Date().toISOString());
  const day = (n: number) => addDays(today, n);
  const on = (n: number) => at(`${day(n)}T02:00:00Z`);
  const { programmeId, projectId } = ids;
  const P = `/v1/projects/${projectId}`;
  const money = moneySteps(d, people);

  on(-90);
  await d.must('POST', '/v1/programmes', people.alice, { programmeId, name: `Programme ${programmeId}`, bureau: 'Taizhou S&T Bureau', quota: 2, focusIndustries: ['pumps'] }, 201);
  await d.must('POST', `/v1/programmes/${programmeId}/solicitation/opening`, people.alice, { opensOn: day(-90), closesOn: day(30) });
  on(-80);
  await d.must('POST', `/v1/programmes/${programmeId}/proposals`, people.alice, {
    projectId, title: '高效节能潜水泵水力模型关键技术攻关', leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: CODES.lead }, partners: [{ name: 'Zhejiang Valve Co.', creditCode: CODES.partner }],
    industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulics'], requestedFunding: 300_000_000,
  }, 201);
  await d.must('POST', `${P}/formal-review`, people.bob, { passed: true });
  await d.must('POST', `${P}/reviewers`, people.alice, { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: CODES.university });
  await d.must('POST', `${P}/scores`, people.chen, { score: 85 });
  await d.must('POST', `${P}/publicity`, people.alice, { startsOn: day(-78) });
  on(-70);
  await d.must('POST', `${P}/approval`, people.ann, { comment: 'Selected' });
  await d.must('POST', `${P}/task-book`, people.alice, {
    startOn: day(-60), approvedFunding: 200_000_000,
    milestones: [{ milestoneId: 'm1', title: 'Hydraulic model validated', dueOn: day(-10) }, { milestoneId: 'm2', title: 'Prototype tested', dueOn: day(100) }],
    indicators: [{ name: 'Efficiency', target: '≥ 82%' }],
  });
  await pause();
  on(-60);
  const r1 = await money.payR1(projectId, day(-60));

  for (const [m, reportedOn] of [['m1', -12], ['m2', -5]] as const) {
    on(reportedOn);
    await d.must('POST', `${P}/milestones/${m}/report`, people.alice, { reportedOn: day(reportedOn), summary: 'done', evidence: [`${m}.pdf`] });
    await d.must('POST', `${P}/milestones/${m}/acceptance`, people.bob, {});
  }
  await d.must('POST', `${P}/rectifications`, people.bob, { rectificationId: 'rect-1', issue: 'Budget spent outside the task book', dueOn: day(10) });
  on(-4);
  await d.must('POST', `${P}/rectifications/rect-1/completion`, people.alice, { completedOn: day(-4), evidence: 'Corrected ledger' });
  await d.must('POST', `${P}/stage`, people.alice, { to: 'promotion' });
  await pause();

  await d.must('POST', `${P}/contracts`, people.alice, { contractId: 'c1', title: 'Licence of the university hydraulic model', transferor: { name: 'Taizhou University', creditCode: CODES.university }, transferee: { name: 'Taizhou Pump Co.', creditCode: CODES.lead }, amount: 400_000_000, signedOn: day(-4) });
  const payments = { pay1: 200_000_000, pay2: 150_000_000 };
  on(-3);
  await d.must('POST', `${P}/contracts/c1/payments`, people.alice, { paymentId: 'pay1', amount: payments.pay1, bankReference: `BANK-${projectId}-1`, paidOn: day(-3) }, 201);
  on(-2);
  await d.must('POST', `${P}/contracts/c1/payments`, people.alice, { paymentId: 'pay2', amount: payments.pay2, bankReference: `BANK-${projectId}-2`, paidOn: day(-2) }, 201);
  // 5% of each bank-paid amount of at least 1,000,000 yuan.
  on(-1);
  const subsidy1 = await money.payR2(projectId, 'pay1', 10_000_000, day(-1));
  const subsidy2 = await money.payR2(projectId, 'pay2', 7_500_000, day(-1));
  on(0);
  await money.refund(projectId, 'pay2', today);
  await pause();

  await d.must('POST', `${P}/acceptance-application`, people.alice, { appliedOn: today, summary: 'All indicators met' });
  await d.must('POST', `${P}/acceptance-conclusion`, people.ann, { result: 'passed', concludedOn: today });
  await d.must('POST', `${P}/closing`, people.alice, { comment: 'Archived' });
  return { programmeId, projectId, today, payments, disbursements: { r1, r2: [subsidy1, subsidy2] }, subsidies: { granted: 17_500_000, clawedBack: 7_500_000 }, moneyDays: { r1: day(-60), r2: day(-1), clawback: today } };
}
