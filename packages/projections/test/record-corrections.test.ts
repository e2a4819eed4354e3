import t from 'tap';
import { taizhouPolicy, type Actor } from '@gongguan/domain';
import { onBankReference, onDisbursement, onPayout, onProgramme, onProject, seededRandom, World } from '../src/generate/load.js';
import { databases, projectToHead } from './helpers.js';

/**
 * Corrections (issue 19) in the read models: a milestone's corrected due date is what the due items
 * read (overdue from the corrected date), a contract's corrected amount and a disbursement's
 * corrected bank reference replace the recorded ones, and each correction is a row of the feed.
 */
const officer: Actor = { id: 'officer-li', role: 'officer' };
const officer2: Actor = { id: 'officer-wang', role: 'officer' };
const approver: Actor = { id: 'approver-zhao', role: 'approver' };
const reviewer: Actor = { id: 'expert-chen', role: 'reviewer' };
const [f1, f2, f3] = ['finance-sun', 'finance-zhou', 'finance-wu'].map((id): Actor => ({ id, role: 'finance' }));
const lead = { name: '台州泵业有限公司', creditCode: '91331000MA28A1B2CY' };
const original = { eventId: 'e-original', type: 'TaskBookSigned' };

function story(): World {
  const w = new World(seededRandom(2));
  onProgramme(w, 'tz-c', 'LaunchProgramme', { programmeId: 'tz-c', name: '台州市技术攻关项目', bureau: '台州市科学技术局', bureauCode: '331000', quota: 10, focusIndustries: [], policy: taizhouPolicy }, officer, '2018-04-01');
  onProgramme(w, 'tz-c', 'OpenSolicitation', { opensOn: '2018-05-01', closesOn: '2018-07-31' }, officer, '2018-04-02');
  const programme = { programmeId: 'tz-c', bureauCode: '331000', policy: taizhouPolicy, focusIndustries: [], solicitation: { opensOn: '2018-05-01', closesOn: '2018-07-31', closedOn: null } };
  onProject(w, 'c1', 'SubmitProject', { projectId: 'c1', programme, title: '高效潜水泵水力模型', leadEnterprise: lead, partners: [], industry: '泵业', county: '温岭市', principalInvestigator: { name: '王伟' }, keyTechnologies: ['水力模型'], requestedFunding: 300_000_000 }, officer, '2018-06-01');
  onProject(w, 'c1', 'RecordFormalReview', { passed: true, reasons: [] }, officer2, '2018-06-05');
  onProject(w, 'c1', 'AssignExpertReviewer', { reviewerId: reviewer.id, name: '陈', employerCreditCode: '12331000470000123J' }, officer, '2018-06-10');
  onProject(w, 'c1', 'ScoreProject', { score: 88 }, reviewer, '2018-06-20');
  onProject(w, 'c1', 'StartPublicity', { startsOn: '2018-07-10' }, officer, '2018-07-09');
  onProgramme(w, 'tz-c', 'ReserveSelectionSlot', { projectId: 'c1' }, approver, '2018-07-17');
  onProject(w, 'c1', 'ApproveProject', { selection: { programmeId: 'tz-c', slot: 1, quota: 10 } }, approver, '2018-07-17');
  onProject(w, 'c1', 'SignTaskBook', { startOn: '2018-08-01', approvedFunding: 200_000_000, milestones: [{ milestoneId: 'm1', title: '水力模型验证', dueOn: '2019-02-01' }, { milestoneId: 'm2', title: '样机测试', dueOn: '2019-08-01' }], indicators: [{ name: '效率', target: '≥ 82%' }] }, officer, '2018-07-25');
  onProject(w, 'c1', 'ReportMilestone', { milestoneId: 'm1', reportedOn: '2019-01-25', summary: '完成', evidence: ['r.pdf'] }, officer, '2019-01-26');
  onProject(w, 'c1', 'CorrectMilestoneDate', { milestoneId: 'm1', field: 'reportedOn', date: '2019-01-24', reason: '报告日期录入错误', corrects: { eventId: 'e-report', type: 'MilestoneReported' } }, officer, '2019-01-28');
  onProject(w, 'c1', 'AcceptMilestone', { milestoneId: 'm1' }, officer2, '2019-01-30');
  onProject(w, 'c1', 'CorrectMilestoneDate', { milestoneId: 'm2', field: 'dueOn', date: '2019-09-01', reason: '任务书节点日期录入错误', corrects: original }, officer, '2019-07-20');
  onProject(w, 'c1', 'ReportMilestone', { milestoneId: 'm2', reportedOn: '2019-08-25', summary: '完成', evidence: ['r2.pdf'] }, officer, '2019-08-25');
  onProject(w, 'c1', 'AcceptMilestone', { milestoneId: 'm2' }, officer2, '2019-09-10');
  onProject(w, 'c1', 'AdvanceStage', { to: 'promotion' }, officer, '2019-09-11');
  onProject(w, 'c1', 'RegisterConversionContract', { contractId: 'k1', title: '水力模型许可', transferor: { name: '台州学院', creditCode: '12331000470000123J' }, transferee: lead, amount: 500_000_000, signedOn: '2019-09-12' }, officer, '2019-09-12');
  onProject(w, 'c1', 'RequestMoneyCorrection', { correctionId: 'mc1', correction: { kind: 'contract_amount', contractId: 'k1', amount: 400_000_000 }, reason: '合同金额录入错误', corrects: { eventId: 'e-contract', type: 'ConversionContractRegistered' } }, officer, '2019-09-13');
  t.equal(onProject(w, 'c1', 'ApproveMoneyCorrection', { correctionId: 'mc1' }, { id: 'officer-li', role: 'finance' }, '2019-09-14', ['FOUR_EYES_VIOLATION']), 'FOUR_EYES_VIOLATION', 'the requester does not approve, whatever role they hold');
  onProject(w, 'c1', 'ApproveMoneyCorrection', { correctionId: 'mc1' }, f1!, '2019-09-14');
  onProject(w, 'c1', 'AwardSelectionGrant', { disbursementId: 'r1-c1' }, f1!, '2019-09-15');
  const r1 = { rule: 'R1' as const, projectId: 'c1' };
  onPayout(w, 'r1-c1', r1, 'RequestDisbursement', { disbursementId: 'r1-c1', entitlement: r1, payee: lead }, f1!, '2019-09-15');
  onDisbursement(w, 'r1-c1', 'ApproveDisbursement', {}, f2!, '2019-09-16');
  onBankReference(w, 'ICBC-2019-0001', 'ClaimBankReference', { bankReference: 'ICBC-2019-0001', claimant: { kind: 'disbursement', id: 'r1-c1' } }, f3!, '2019-09-17');
  onPayout(w, 'r1-c1', r1, 'RecordDisbursementPayment', { bankReference: 'ICBC-2019-0001', paidOn: '2019-09-17' }, f3!, '2019-09-17');
  onDisbursement(w, 'r1-c1', 'RequestDisbursementCorrection', { correctionId: 'dc1', correction: { kind: 'bank_reference', bankReference: 'ICBC-2019-0009' }, reason: '流水号录入错误', corrects: { eventId: 'e-paid', type: 'DisbursementPaid' } }, f1!, '2019-09-20');
  onBankReference(w, 'ICBC-2019-0001', 'ReleaseBankReference', { bankReference: 'ICBC-2019-0001', claimant: { kind: 'disbursement', id: 'r1-c1' }, reason: '流水号录入错误', corrects: { eventId: 'e-paid', type: 'DisbursementPaid' } }, f2!, '2019-09-21');
  onBankReference(w, 'ICBC-2019-0009', 'ClaimBankReference', { bankReference: 'ICBC-2019-0009', claimant: { kind: 'disbursement', id: 'r1-c1' } }, f2!, '2019-09-21');
  onDisbursement(w, 'r1-c1', 'ApproveDisbursementCorrection', { correctionId: 'dc1' }, f2!, '2019-09-21');
  return w;
}

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);
for (const target of targets) {
  t.test('corrections in the read models', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const w = story();
    for (const a of w.flush()) await h.store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
    const projector = await projectToHead(h);
    t.teardown(() => projector.stop());
    const rows = async (text: string) => (await h.sql.query<{ j: string }>(`select row_to_json(t)::text as j from (${text}) t`)).rows.map((r) => JSON.parse(r.j) as Record<string, unknown>);
    t.match(await rows(`select milestone_id, due_on, reported_on from reporting.milestones_as_of('2019-09-30') order by milestone_id`), [
      { milestone_id: 'm1', due_on: '2019-02-01', reported_on: '2019-01-24' },
      { milestone_id: 'm2', due_on: '2019-09-01' },
    ], 'the corrected dates replace the recorded ones');
    t.same(await rows(`select item_id, due_on, overdue from reporting.due_items_as_of('2019-08-02') where kind = 'milestone'`), [{ item_id: 'm2', due_on: '2019-09-01', overdue: false }], 'not overdue the day after the date it was mistyped with');
    t.same(await rows(`select item_id, overdue from reporting.due_items_as_of('2019-09-02') where kind = 'milestone'`), [{ item_id: 'm2', overdue: true }], 'overdue the day after the corrected date');
    t.match(await rows(`select contracts, contract_amount from reporting.projects where project_id = 'c1'`), [{ contracts: 1, contract_amount: 400_000_000 }], 'the corrected contract amount');
    t.match(await rows(`select disbursement_id, bank_reference, status from reporting.disbursements`), [{ disbursement_id: 'r1-c1', bank_reference: 'ICBC-2019-0009', status: 'paid' }], 'the corrected bank reference');
    const feed = await rows(`select type, summary, bureau_code from reporting.activity where type in ('MilestoneDateCorrected', 'MoneyCorrectionApproved', 'DisbursementCorrectionApproved', 'BankReferenceReleased') order by position`);
    t.same(feed.map((r) => r.type).sort(), ['BankReferenceReleased', 'DisbursementCorrectionApproved', 'MilestoneDateCorrected', 'MilestoneDateCorrected', 'MoneyCorrectionApproved']);
    t.match(feed.find((r) => r.type === 'MoneyCorrectionApproved'), { summary: /money correction approved mc1 \(c1\)/ });
    t.ok(feed.every((r) => r.bureau_code === '331000'), "every correction is its project's bureau's");
  });
}
