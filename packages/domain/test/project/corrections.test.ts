import t from 'tap';
import { projectDecider } from '../../src/project/decider.js';
import { correctedEventIndex } from '../../src/project/corrections.js';
import { dueItems } from '../../src/project/due-items.js';
import { bankReferenceDecider } from '../../src/bank-reference/registry.js';
import { projectCmd as cmd } from '../fixtures/commands.js';
import { approver, finance, finance2, officer, officer2 } from '../fixtures/fixtures.js';
import { fold, specFor } from '../fixtures/given.js';
import { closed, inProgress, run, withContract, withPayment } from '../fixtures/project-story.js';

const given = specFor(projectDecider);
const corrects = { eventId: 'e-1', type: 'TaskBookSigned' };
const terminated = run([cmd('TerminateProject', { reason: 'bankrupt' }, approver, '2019-03-01')], inProgress);

t.test('CorrectMilestoneDate: an officer corrects a due date within the cycle, naming the original', async (t) => {
  const correct = (date: string, field: 'dueOn' | 'reportedOn' = 'dueOn', at = '2019-01-10') => cmd('CorrectMilestoneDate', { milestoneId: 'm2', field, date, reason: '录入错误', corrects }, officer, at);
  given(inProgress).when(correct('2019-09-01')).then(t, [{ type: 'MilestoneDateCorrected', data: { milestoneId: 'm2', field: 'dueOn', previous: '2019-08-01', date: '2019-09-01', corrects } }]);
  given(inProgress).when(correct('2019-08-01')).then(t, 'NOTHING_TO_CORRECT');
  given(inProgress).when(correct('2020-09-01')).then(t, 'MILESTONE_OUTSIDE_CYCLE');
  given(inProgress).when(correct('2019-01-01', 'reportedOn')).then(t, 'INVALID_STATE');
  given(inProgress).when({ ...correct('2019-09-01'), data: { milestoneId: 'm9', field: 'dueOn', date: '2019-09-01', reason: 'x', corrects } }).then(t, 'MILESTONE_NOT_FOUND');
  given(inProgress).when({ ...correct('2019-09-01'), actor: finance }).then(t, 'ROLE_NOT_ALLOWED');
  given(terminated).when(correct('2019-09-01', 'dueOn', '2019-04-01')).then(t, [{ type: 'MilestoneDateCorrected' }]);
});

t.test('a corrected due date is what the due items read: overdue from the corrected date on', async (t) => {
  const corrected = run([cmd('CorrectMilestoneDate', { milestoneId: 'm2', field: 'dueOn', date: '2019-09-01', reason: '录入错误', corrects }, officer, '2019-01-10')], inProgress);
  const m2 = (events: typeof inProgress, day: string) => dueItems(fold(projectDecider, events), day).find((i) => i.itemId === 'm2');
  t.match(m2(inProgress, '2019-08-02'), { dueOn: '2019-08-01', overdue: true });
  t.match(m2(corrected, '2019-08-02'), { dueOn: '2019-09-01', overdue: false });
  t.match(m2(corrected, '2019-09-02'), { overdue: true });
});

t.test('a money correction: requested by one person, applied only when another approves it', async (t) => {
  const request = cmd('RequestMoneyCorrection', { correctionId: 'k1', correction: { kind: 'contract_amount', contractId: 'c1', amount: 300_000_000 }, reason: '金额录入错误', corrects }, officer, '2019-10-10');
  given(withPayment).when(request).then(t, [{ type: 'MoneyCorrectionRequested', data: { correction: { kind: 'contract_amount', amount: 300_000_000, previousAmount: 250_000_000 }, requestedBy: officer.id } }]);
  given(withPayment).when({ ...request, data: { ...request.data, correction: { kind: 'contract_amount', contractId: 'c1', amount: 100_000_000 } } }).then(t, 'PAYMENT_EXCEEDS_CONTRACT');
  given(withPayment).when({ ...request, data: { ...request.data, correction: { kind: 'contract_amount', contractId: 'c9', amount: 1 } } }).then(t, 'CONTRACT_NOT_FOUND');
  const requested = run([request], withPayment);
  t.equal(fold(projectDecider, requested).contracts.c1!.amount, 250_000_000, 'a request changes nothing');
  const approve = (actor = finance, correctionId = 'k1') => cmd('ApproveMoneyCorrection', { correctionId }, actor, '2019-10-11');
  given(requested).when(approve({ ...officer, role: 'finance' })).then(t, 'FOUR_EYES_VIOLATION');
  given(requested).when(approve(officer2)).then(t, 'ROLE_NOT_ALLOWED');
  given(requested).when(approve(finance, 'k9')).then(t, 'CORRECTION_NOT_FOUND');
  given(requested).when(approve()).then(t, [{ type: 'MoneyCorrectionApproved', data: { requestedBy: officer.id, approvedBy: finance.id, corrects, reason: '金额录入错误' } }]);
  const approved = run([approve()], requested);
  t.equal(fold(projectDecider, approved).contracts.c1!.amount, 300_000_000, 'applied at the approval');
  given(approved).when(approve(finance2)).then(t, 'CORRECTION_NOT_PENDING');
  const rejected = run([cmd('RejectMoneyCorrection', { correctionId: 'k1', comment: '无误' }, finance2, '2019-10-11')], requested);
  given(rejected).when(approve()).then(t, 'CORRECTION_NOT_PENDING');
});

t.test('an approval is checked again on the project as it is then', async (t) => {
  const two = run(
    [
      cmd('RequestMoneyCorrection', { correctionId: 'a', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'ICBC-2019-0002' }, reason: 'x', corrects }, officer, '2019-10-10'),
      cmd('RequestMoneyCorrection', { correctionId: 'b', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'ICBC-2019-0002' }, reason: 'x', corrects }, officer2, '2019-10-10'),
      cmd('ApproveMoneyCorrection', { correctionId: 'a' }, finance, '2019-10-11'),
    ],
    withPayment,
  );
  t.equal(fold(projectDecider, two).payments.pay1!.bankReference, 'ICBC-2019-0002');
  given(two).when(cmd('ApproveMoneyCorrection', { correctionId: 'b' }, finance, '2019-10-12')).then(t, 'NOTHING_TO_CORRECT');
});

t.test('a refund after closing: the correction reverses the payment; nothing else passes a closed project', async (t) => {
  const refund = cmd('RequestMoneyCorrection', { correctionId: 'r', correction: { kind: 'payment_refund', paymentId: 'pay1', reversedOn: '2020-10-01' }, reason: '退款', corrects }, officer, '2020-10-02');
  given(closed).when(cmd('ReverseContractPayment', { paymentId: 'pay1', reversedOn: '2020-10-01', reason: '退款' }, officer, '2020-10-02')).then(t, 'PROJECT_ENDED');
  given(closed).when({ ...refund, data: { ...refund.data, correction: { kind: 'payment_refund', paymentId: 'pay1', reversedOn: '2020-10-03' } } }).then(t, 'INVALID_DATE_RANGE');
  const requested = run([refund], closed);
  given(requested).when(cmd('ApproveMoneyCorrection', { correctionId: 'r' }, finance, '2020-10-03')).then(t, [
    { type: 'MoneyCorrectionApproved', data: { correction: { kind: 'payment_refund', amount: 200_000_000 } } },
    { type: 'ContractPaymentReversed', data: { paymentId: 'pay1', amount: 200_000_000, reversedOn: '2020-10-01', reason: '退款' } },
  ]);
  const refunded = run([cmd('ApproveMoneyCorrection', { correctionId: 'r' }, finance, '2020-10-03')], requested);
  const state = fold(projectDecider, refunded);
  t.same([state.status, state.payments.pay1!.reversed, state.contracts.c1!.paid], ['closed', true, 0]);
  given(refunded).when(cmd('RecordSubsidyAssessment', { paymentId: 'pay1', step: 'reversal', ledgerStream: 'subsidy-x-2019', subsidyGranted: 0, clawback: 0 }, finance, '2020-10-03')).then(t, [{ type: 'SubsidyAssessmentRecorded' }]);
  given(refunded).when(cmd('GradeAnnualPerformance', { year: 2020, grade: 'good' }, officer, '2020-10-03')).then(t, 'PROJECT_ENDED');
});

t.test('correctedEventIndex: the last event that set the value', async (t) => {
  const events = run(
    [
      cmd('CorrectMilestoneDate', { milestoneId: 'm1', field: 'dueOn', date: '2019-03-01', reason: 'x', corrects }, officer, '2019-01-10'),
      cmd('CorrectMilestoneDate', { milestoneId: 'm2', field: 'dueOn', date: '2019-09-01', reason: 'x', corrects }, officer, '2019-01-10'),
    ],
    withContract,
  );
  const at = (i: number | undefined) => (i === undefined ? undefined : events[i]!.type);
  t.equal(at(correctedEventIndex(events, { kind: 'milestone_date', milestoneId: 'm1', field: 'dueOn' })), 'MilestoneDateCorrected');
  t.equal(correctedEventIndex(events, { kind: 'milestone_date', milestoneId: 'm1', field: 'dueOn' }), events.length - 2, 'its own correction, not the other milestone');
  t.equal(at(correctedEventIndex(events.slice(0, -2), { kind: 'milestone_date', milestoneId: 'm1', field: 'dueOn' })), 'TaskBookSigned');
  t.equal(at(correctedEventIndex(events, { kind: 'milestone_date', milestoneId: 'm1', field: 'reportedOn' })), 'MilestoneReported');
  t.equal(at(correctedEventIndex(events, { kind: 'contract_amount', contractId: 'c1', amount: 1 })), 'ConversionContractRegistered');
  t.equal(correctedEventIndex(events, { kind: 'payment_refund', paymentId: 'pay1', reversedOn: '2019-10-10' }), undefined, 'no payment, no original');
});

t.test('the bank-reference registry: a release frees a reference for another payment; only its holder releases it', async (t) => {
  const reg = specFor(bankReferenceDecider);
  const holder: { kind: 'disbursement' | 'contract_payment'; id: string } = { kind: 'contract_payment', id: 'p.pay1' };
  const claim = (claimant: typeof holder) => ({ type: 'ClaimBankReference' as const, actor: finance, at: '2019-10-10T02:00:00Z', data: { bankReference: 'ICBC-1', claimant } });
  const release = (claimant: typeof holder) => ({ type: 'ReleaseBankReference' as const, actor: finance, at: '2019-10-11T02:00:00Z', data: { bankReference: 'ICBC-1', claimant, reason: '录入错误', corrects } });
  const claimed = reg([]).when(claim(holder)).events();
  reg(claimed).when(claim({ kind: 'disbursement', id: 'd1' })).then(t, 'BANK_REFERENCE_ALREADY_USED');
  reg(claimed).when(release({ kind: 'disbursement', id: 'd1' })).then(t, []);
  reg([]).when(release(holder)).then(t, []);
  const released = [...claimed, ...reg(claimed).when(release(holder)).events()];
  reg(released).when(claim({ kind: 'disbursement', id: 'd1' })).then(t, [{ type: 'BankReferenceClaimed', data: { claimant: { kind: 'disbursement', id: 'd1' } } }]);
  reg(claimed).when({ ...release(holder), actor: officer }).then(t, 'ROLE_NOT_ALLOWED');
});
