import t from 'tap';
import { taizhouPolicy, type Actor } from '@gongguan/domain';
import { on, onBankReference, onDisbursement, onPayout, onProgramme, onProject, onR2Ledger, seededRandom, World } from '../src/generate/load.js';
import { databases, projectToHead } from './helpers.js';

const officer: Actor = { id: 'officer-li', role: 'officer' };
const officer2: Actor = { id: 'officer-wang', role: 'officer' };
const approver: Actor = { id: 'approver-zhao', role: 'approver' };
const reviewer: Actor = { id: 'expert-chen', role: 'reviewer' };
const [f1, f2, f3]: Actor[] = ['finance-sun', 'finance-zhou', 'finance-wu'].map((id) => ({ id, role: 'finance' as const }));
const lead = { name: '台州泵业有限公司', creditCode: '91331000MA28A1B2CY' };

/** One pump project, written as the lifecycle API would: given these events, each read model has known rows. */
function story(): World {
  const w = new World(seededRandom(1));
  onProgramme(w, 'tz-2018', 'LaunchProgramme', { programmeId: 'tz-2018', name: '台州市2018年度十大技术攻关项目', bureau: '台州市科学技术局', bureauCode: '331000', quota: 10, focusIndustries: [], policy: taizhouPolicy }, officer, '2018-04-01');
  onProgramme(w, 'tz-2018', 'OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' }, officer, '2018-04-02');
  const programme = { programmeId: 'tz-2018', bureauCode: '331000', policy: taizhouPolicy, focusIndustries: [], solicitation: { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null } };
  onProject(w, 'p1', 'SubmitProject', { projectId: 'p1', programme, title: '高效潜水泵水力模型', leadEnterprise: lead, partners: [], industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000 }, officer, '2018-06-01');
  onProject(w, 'p1', 'RecordFormalReview', { passed: true, reasons: [] }, officer2, '2018-06-05');
  onProject(w, 'p1', 'AssignExpertReviewer', { reviewerId: reviewer.id, name: '陈', employerCreditCode: '12331000470000123J' }, officer, '2018-06-10');
  onProject(w, 'p1', 'ScoreProject', { score: 88 }, reviewer, '2018-06-20');
  onProject(w, 'p1', 'StartPublicity', { startsOn: '2018-07-10' }, officer, '2018-07-09');
  onProgramme(w, 'tz-2018', 'ReserveSelectionSlot', { projectId: 'p1' }, approver, '2018-07-17');
  onProject(w, 'p1', 'ApproveProject', { selection: { programmeId: 'tz-2018', slot: 1, quota: 10 } }, approver, '2018-07-17');
  onProject(w, 'p1', 'SignTaskBook', { startOn: '2018-08-01', approvedFunding: 200_000_000, milestones: [{ milestoneId: 'm1', title: '水力模型验证', dueOn: '2019-02-01' }, { milestoneId: 'm2', title: '样机测试', dueOn: '2019-08-01' }], indicators: [{ name: '效率', target: '≥ 82%' }] }, officer, '2018-07-25');
  onProject(w, 'p1', 'ReportMilestone', { milestoneId: 'm1', reportedOn: '2019-01-25', summary: '完成', evidence: ['r.pdf'] }, officer, '2019-01-26');
  onProject(w, 'p1', 'AcceptMilestone', { milestoneId: 'm1' }, officer2, '2019-01-30');
  onProject(w, 'p1', 'OrderRectification', { rectificationId: 'rc1', issue: '经费使用不规范', dueOn: '2019-03-31' }, officer, '2019-03-01');
  onProject(w, 'p1', 'AwardSelectionGrant', { disbursementId: 'r1-p1' }, f1 as Actor, '2018-08-02');
  const r1 = { rule: 'R1' as const, projectId: 'p1' };
  onPayout(w, 'r1-p1', r1, 'RequestDisbursement', { disbursementId: 'r1-p1', entitlement: r1, payee: lead }, f1 as Actor, '2018-08-02');
  onDisbursement(w, 'r1-p1', 'ApproveDisbursement', {}, f2 as Actor, '2018-08-03');
  onBankReference(w, 'ICBC-2018-0001', 'ClaimBankReference', { bankReference: 'ICBC-2018-0001', claimant: { kind: 'disbursement', id: 'r1-p1' } }, f3 as Actor, '2018-08-06');
  onPayout(w, 'r1-p1', r1, 'RecordDisbursementPayment', { bankReference: 'ICBC-2018-0001', paidOn: '2018-08-06' }, f3 as Actor, '2018-08-06');
  const r2 = { r2RateBps: 500, r2Threshold: 100_000_000, r2AnnualCap: 100_000_000, r2ThresholdMode: 'per_contract' as const };
  onR2Ledger(w, `subsidy-${lead.creditCode}-2019`, 'AssessR2Payment', { bureauCode: '331000', creditCode: lead.creditCode, year: 2019, policy: r2, paymentId: 'pay1', projectId: 'p1', contractId: 'c1', amount: 200_000_000, paidOn: '2019-10-08', bankReference: 'ICBC-2019-0001' }, f1 as Actor, '2019-10-09');
  onR2Ledger(w, `subsidy-${lead.creditCode}-2019`, 'AssessR2Reversal', { projectId: 'p1', paymentId: 'pay1', reversedOn: '2019-11-01', reason: '退款' }, f1 as Actor, '2019-11-02');
  return w;
}

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);
for (const target of targets) {
  t.test('each read model from given events', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const w = story();
    for (const a of w.flush()) {
      // The submission was entered later (back-recorded) by a clerk; everything else live.
      const events = a.events.map((e) => (e.type === 'ProjectSubmitted' ? { ...e, metadata: { ...e.metadata, backRecorded: { by: 'clerk-xu', role: 'officer' } } } : e));
      await h.store.append(a.stream, events, { expectedRevision: a.expectedRevision });
    }
    const projector = await projectToHead(h);
    t.teardown(() => projector.stop());
    const one = async (text: string, params: unknown[] = []) => {
      const { rows } = await h.sql.query<{ j: string }>(`select row_to_json(t)::text as j from (${text}) t`, params);
      return rows.map((r) => JSON.parse(r.j) as Record<string, unknown>);
    };
    t.match(await one(`select * from reporting.projects_as_of('2019-04-15')`), [
      {
        project_id: 'p1', status: 'in_progress', stage: 'advancement', county: '温岭市', industry: '泵业', approved_on: '2018-07-17',
        start_on: '2018-08-01', end_on: '2020-07-31', acceptance_deadline: '2021-01-31', days_left: 473,
        milestones_total: 2, milestones_accepted: 1, milestones_overdue: 0, rectifications_open: 1, rectifications_overdue: 1,
        r1_awarded: 10_000_000, money_awarded: 10_000_000, money_paid: 10_000_000, money_reversed: 0, requested_funding: 300_000_000, approved_funding: 200_000_000,
      },
    ], 'project status, evaluated on 2019-04-15');
    t.match(await one(`select milestone_id, status, due_on, overdue from reporting.milestones_as_of('2019-08-02') order by milestone_id`), [
      { milestone_id: 'm1', status: 'accepted', overdue: false },
      { milestone_id: 'm2', status: 'pending', due_on: '2019-08-01', overdue: true },
    ], 'milestone calendar: m2 overdue the day after its due date');
    t.match(await one(`select * from reporting.programmes`), [{ programme_id: 'tz-2018', quota: 10, slots_taken: 1, quota_remaining: 9, projects_submitted: 1, projects_approved: 1 }]);
    t.match(await one(`select * from reporting.portfolio`), [{ stage: 'advancement', status: 'in_progress', industry: '泵业', county: '温岭市', projects: 1 }]);
    t.match(await one(`select * from reporting.disbursements`), [{ disbursement_id: 'r1-p1', rule: 'R1', status: 'paid', requested_by: 'finance-sun', approved_by: 'finance-zhou', recorded_by: 'finance-wu', paid_on: '2018-08-06', amount: 10_000_000 }]);
    t.match(await one(`select * from reporting.money_movements`), [{ disbursement_id: 'r1-p1', rule: 'R1', kind: 'paid', amount: 10_000_000, year: 2018, project_id: 'p1' }]);
    t.match(await one(`select * from reporting.enterprise_subsidies`), [
      { credit_code: lead.creditCode, year: 2019, payments: 1, bank_paid: 0, bank_paid_reversed: 200_000_000, entitlement: 0, granted: 10_000_000, clawed_back: 10_000_000, cap_remaining: 100_000_000 },
    ], 'R2 ledger: 5% of 2,000,000 yuan granted, then clawed back by the refund');
    t.match(await one(`select rectification_id, status, overdue from reporting.rectifications_as_of('2019-04-01')`), [{ rectification_id: 'rc1', status: 'open', overdue: true }]);
    const feed = await one(`select type, actor_id, project_id from reporting.activity order by position`);
    t.equal(feed.length, w.eventCount, 'one activity row per event');
    t.match(feed.find((r) => r.type === 'ProjectSubmitted'), { type: 'ProjectSubmitted', actor_id: 'officer-li', project_id: 'p1' });
    t.same(await one(`select type, actor_id, back_recorded_by from reporting.activity where back_recorded_by is not null`), [{ type: 'ProjectSubmitted', actor_id: 'officer-li', back_recorded_by: 'clerk-xu' }], 'the feed tells what was entered later, and by whom');
    t.match(await one(`select kind, item_id, overdue from reporting.due_items_as_of('2019-04-01') order by due_on`), [
      { kind: 'rectification', item_id: 'rc1', overdue: true },
      { kind: 'milestone', item_id: 'm2', overdue: false },
    ], 'what falls due');
    t.equal(on('2018-06-01'), '2018-06-01T09:00:00+08:00');
  });
}
