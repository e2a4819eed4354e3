import t from 'tap';
import { projectDecider } from '../../src/project/decider.js';
import { pendingSubsidyAssessments } from '../../src/project/state.js';
import { projectCmd as cmd } from '../fixtures/commands.js';
import { approver, codes, finance, officer } from '../fixtures/fixtures.js';
import { fold, specFor } from '../fixtures/given.js';
import {
  acceptanceApplied,
  approved,
  awarded,
  closed,
  concluded,
  inProgress,
  inPromotion,
  run,
  submitted,
  withContract,
  withPayment,
} from '../fixtures/project-story.js';

const given = specFor(projectDecider);

t.test('AwardSelectionGrant claims R1 once per project', async (t) => {
  const award = cmd('AwardSelectionGrant', { disbursementId: 'r1-p-pump-01' }, finance);
  given(approved).when(award).then(t, [{ type: 'SelectionGrantAwarded', data: { amount: 10_000_000, payeeCreditCode: codes.lead } }]);
  given(awarded).when(award).then(t, []);
  given(awarded).when(cmd('AwardSelectionGrant', { disbursementId: 'r1-again' }, finance)).then(t, 'R1_ALREADY_AWARDED');
  given(submitted).when(award).then(t, 'INVALID_STATE');
  given(approved).when({ ...award, actor: officer }).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('RegisterConversionContract in promotion', async (t) => {
  const register = cmd('RegisterConversionContract', {
    contractId: 'c2',
    title: 'Technical service',
    transferor: { name: 'Taizhou Pump Co.', creditCode: codes.lead },
    transferee: { name: 'Buyer', creditCode: codes.tencent },
    amount: 50_000_000,
    signedOn: '2019-09-01',
  });
  given(inPromotion).when(register).then(t, [{ type: 'ConversionContractRegistered', data: { contractId: 'c2', amount: 50_000_000 } }]);
  given(inProgress).when(register).then(t, 'WRONG_STAGE');
  given(run([register], inPromotion)).when(register).then(t, 'ALREADY_EXISTS');
});

t.test('RegisterConversionContract: two different parties, one of them the lead enterprise', async (t) => {
  const between = (transferor: string, transferee: string) =>
    cmd('RegisterConversionContract', {
      contractId: 'c3',
      title: 'Licence',
      transferor: { name: 'A', creditCode: transferor },
      transferee: { name: 'B', creditCode: transferee },
      amount: 1,
      signedOn: '2019-09-01',
    });
  given(inPromotion).when(between(codes.university, codes.lead)).then(t, [{ type: 'ConversionContractRegistered', data: { transferee: { creditCode: codes.lead } } }]);
  given(inPromotion).when(between(codes.university, codes.tencent)).then(t, 'CONTRACT_PARTIES_INVALID');
  given(inPromotion).when(between(codes.lead, codes.lead)).then(t, 'CONTRACT_PARTIES_INVALID');
});

t.test('ConfirmContractPayment: the R2 ledger is the policy beneficiary\'s, the transferee by default', async (t) => {
  const sold = cmd('RegisterConversionContract', {
    contractId: 'c4',
    title: 'Licence sold by the lead enterprise',
    transferor: { name: 'Taizhou Pump Co.', creditCode: codes.lead },
    transferee: { name: 'Buyer', creditCode: codes.tencent },
    amount: 100_000_000,
    signedOn: '2019-09-01',
  });
  const pay = cmd('ConfirmContractPayment', { paymentId: 'pay9', contractId: 'c4', amount: 1, bankReference: 'ICBC-2019-0999', paidOn: '2019-11-01' }, officer, '2019-11-02');
  given(run([sold], inPromotion)).when(pay).then(t, [{ type: 'ContractPaymentConfirmed', data: { enterpriseCreditCode: codes.tencent } }]);
  const toTransferor = inPromotion.map((e) => (e.type === 'ProjectSubmitted' ? { ...e, data: { ...e.data, policy: { ...e.data.policy, r2Beneficiary: 'transferor' as const } } } : e));
  given(run([sold], toTransferor)).when(pay).then(t, [{ type: 'ContractPaymentConfirmed', data: { enterpriseCreditCode: codes.lead } }]);
});

t.test('ConfirmContractPayment', async (t) => {
  const pay = (paymentId: string, amount: number, bankReference: string, paidOn = '2019-11-01') =>
    cmd('ConfirmContractPayment', { paymentId, contractId: 'c1', amount, bankReference, paidOn }, officer, '2019-11-02');
  given(withContract).when(pay('pay1', 200_000_000, 'ICBC-2019-0001')).then(t, [
    { type: 'ContractPaymentConfirmed', data: { enterpriseCreditCode: codes.lead, amount: 200_000_000, bankReference: 'ICBC-2019-0001' } },
  ]);
  given(withPayment).when(pay('pay2', 50_000_000, 'ICBC-2019-0002')).then(t, [{ type: 'ContractPaymentConfirmed' }]);
  given(withPayment).when(pay('pay2', 50_000_001, 'ICBC-2019-0002')).then(t, 'PAYMENT_EXCEEDS_CONTRACT');
  given(withPayment).when(pay('pay2', 1, 'ICBC-2019-0001')).then(t, 'BANK_REFERENCE_ALREADY_USED');
  given(withPayment).when(pay('pay1', 1, 'ICBC-2019-0009')).then(t, 'ALREADY_EXISTS');
  given(withContract).when(pay('pay1', 1, 'ICBC-2019-0009', '2019-11-03')).then(t, 'INVALID_DATE_RANGE');
  given(withContract).when(cmd('ConfirmContractPayment', { paymentId: 'p', contractId: 'c9', amount: 1, bankReference: 'REF-1', paidOn: '2019-11-01' })).then(t, 'CONTRACT_NOT_FOUND');
  given(approved).when(pay('pay1', 1, 'REF-0001')).then(t, 'INVALID_STATE');
  t.same(pendingSubsidyAssessments(fold(projectDecider, withPayment)), [{ paymentId: 'pay1', step: 'payment' }]);
});

t.test('ReverseContractPayment frees the contract amount and leaves the reversal pending assessment', async (t) => {
  const reverse = cmd('ReverseContractPayment', { paymentId: 'pay1', reversedOn: '2019-12-01', reason: 'bank returned the funds' });
  given(withPayment).when(reverse).then(t, [{ type: 'ContractPaymentReversed', data: { paymentId: 'pay1', contractId: 'c1', amount: 200_000_000 } }]);
  const reversed = run([reverse], withPayment);
  given(reversed).when(reverse).then(t, 'INVALID_STATE');
  given(withContract).when(reverse).then(t, 'PAYMENT_NOT_FOUND');
  const state = fold(projectDecider, reversed);
  t.equal(state.contracts.c1?.paid, 0);
  t.same(pendingSubsidyAssessments(state), [
    { paymentId: 'pay1', step: 'payment' },
    { paymentId: 'pay1', step: 'reversal' },
  ]);
});

t.test('RecordSubsidyAssessment closes the pending step, idempotently', async (t) => {
  const record = cmd('RecordSubsidyAssessment', {
    paymentId: 'pay1',
    step: 'payment',
    ledgerStream: `subsidy-${codes.lead}-2019`,
    subsidyGranted: 10_000_000,
    clawback: 0,
  }, finance);
  given(withPayment).when(record).then(t, [{ type: 'SubsidyAssessmentRecorded', data: { subsidyGranted: 10_000_000 } }]);
  const assessed = run([record], withPayment);
  given(assessed).when(record).then(t, []);
  t.same(pendingSubsidyAssessments(fold(projectDecider, assessed)), []);
  given(assessed).when({ ...record, data: { ...record.data, step: 'reversal' } }).then(t, 'INVALID_STATE');
  given(withContract).when(record).then(t, 'PAYMENT_NOT_FOUND');
});

t.test('ApplyForAcceptance within the window', async (t) => {
  const apply = (date: string) => cmd('ApplyForAcceptance', { appliedOn: date }, officer, date);
  // The cycle ends 2020-07-31 (inclusive); the window closes six months later, on 2021-01-31.
  given(withPayment).when(apply('2021-01-31')).then(t, [{ type: 'AcceptanceApplied', data: { appliedOn: '2021-01-31', deadline: '2021-01-31' } }]);
  given(withPayment).when(apply('2021-02-01')).then(t, 'ACCEPTANCE_WINDOW_CLOSED');
  given(withPayment).when(cmd('ApplyForAcceptance', { appliedOn: '2020-09-02' }, officer, '2020-09-01')).then(t, 'INVALID_DATE_RANGE');
  given(inProgress).when(apply('2020-08-10')).then(t, 'WRONG_STAGE');
  given(acceptanceApplied).when(apply('2020-08-11')).then(t, 'INVALID_STATE');
});

t.test('the acceptance window follows an approved extension', async (t) => {
  const extended = run(
    [
      cmd('RequestExtension', { months: 6, reason: 'delay' }, officer, '2020-04-01'),
      cmd('DecideExtension', { approved: true }, approver, '2020-04-02'),
    ],
    inPromotion,
  );
  given(extended).when(cmd('ApplyForAcceptance', { appliedOn: '2021-07-31' }, officer, '2021-07-31')).then(t, [{ type: 'AcceptanceApplied', data: { deadline: '2021-07-31' } }]);
  given(extended).when(cmd('ApplyForAcceptance', { appliedOn: '2021-08-01' }, officer, '2021-08-01')).then(t, 'ACCEPTANCE_WINDOW_CLOSED');
});

t.test('ConcludeAcceptance (four eyes, no open rectification to pass)', async (t) => {
  const conclude = (result: 'passed' | 'passed_after_rectification' | 'failed') => cmd('ConcludeAcceptance', { result, concludedOn: '2020-09-15' }, approver);
  given(acceptanceApplied).when(conclude('passed')).then(t, [{ type: 'AcceptanceConcluded', data: { result: 'passed' } }]);
  const rectifying = run([cmd('OrderRectification', { rectificationId: 'r1', issue: 'test report', dueOn: '2020-10-31' }, officer, '2020-08-20')], acceptanceApplied);
  given(rectifying).when(conclude('passed')).then(t, 'RECTIFICATION_OPEN');
  given(rectifying).when(conclude('failed')).then(t, [{ type: 'AcceptanceConcluded', data: { result: 'failed' } }]);
  const rectified = run([cmd('CompleteRectification', { rectificationId: 'r1', completedOn: '2020-09-01', evidence: 'new report' })], rectifying);
  given(rectified).when(conclude('passed_after_rectification')).then(t, [{ type: 'AcceptanceConcluded', data: { result: 'passed_after_rectification' } }]);
  given(acceptanceApplied).when({ ...conclude('passed'), actor: { id: officer.id, role: 'approver' } }).then(t, 'FOUR_EYES_VIOLATION');
  given(withPayment).when(conclude('passed')).then(t, 'INVALID_STATE');
});

t.test('CloseProject after acceptance; a closed project refuses everything', async (t) => {
  given(concluded).when(cmd('CloseProject', {})).then(t, [{ type: 'ProjectClosed' }]);
  given(acceptanceApplied).when(cmd('CloseProject', {})).then(t, 'ACCEPTANCE_NOT_CONCLUDED');
  given(closed).when(cmd('CloseProject', {})).then(t, 'PROJECT_ENDED');
  given(closed).when(cmd('GradeAnnualPerformance', { year: 2020, grade: 'good' })).then(t, 'PROJECT_ENDED');
  t.equal(fold(projectDecider, closed).status, 'closed');
});

t.test('GradeAnnualPerformance once per year', async (t) => {
  const grade = cmd('GradeAnnualPerformance', { year: 2019, grade: 'excellent' }, approver);
  given(inProgress).when(grade).then(t, [{ type: 'PerformanceGraded', data: { year: 2019, grade: 'excellent' } }]);
  given(run([grade], inProgress)).when(grade).then(t, 'GRADE_ALREADY_RECORDED');
  given(run([grade], inProgress)).when(cmd('GradeAnnualPerformance', { year: 2020, grade: 'unqualified' })).then(t, [{ type: 'PerformanceGraded' }]);
  given(concluded).when(grade).then(t, [{ type: 'PerformanceGraded' }]);
  given(submitted).when(grade).then(t, 'INVALID_STATE');
});
