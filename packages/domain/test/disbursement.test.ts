import t from 'tap';
import { disbursementDecider } from '../src/disbursement/decider.js';
import { disbursementStream } from '../src/disbursement/disbursement.js';
import { disbursementCmd as cmd } from './fixtures/commands.js';
import { codes, finance, finance2, finance3, officer } from './fixtures/fixtures.js';
import { fold, history, specFor } from './fixtures/given.js';

const given = specFor(disbursementDecider);
const request = cmd(
  'RequestDisbursement',
  {
    disbursementId: 'r1-p-pump-01',
    rule: 'R1',
    payee: { name: 'Taizhou Pump Co.', creditCode: codes.lead },
    amount: 10_000_000,
    projectId: 'p-pump-01',
    basis: 'project-p-pump-01 SelectionGrantAwarded',
  },
  finance,
);
const approve = cmd('ApproveDisbursement', {}, finance2);
const pay = cmd('RecordDisbursementPayment', { bankReference: 'BOC-2018-7781', paidOn: '2018-08-20' }, finance3);
const requested = history(disbursementDecider, [request]);
const approved = history(disbursementDecider, [approve], requested);
const paid = history(disbursementDecider, [pay], approved);

t.test('RequestDisbursement records who asked', async (t) => {
  given([]).when(request).then(t, [{ type: 'DisbursementRequested', data: { rule: 'R1', amount: 10_000_000, requestedBy: finance.id } }]);
  given(requested).when(request).then(t, 'ALREADY_EXISTS');
  given([]).when({ ...request, actor: officer }).then(t, 'ROLE_NOT_ALLOWED');
  given([]).when(approve).then(t, 'DISBURSEMENT_NOT_FOUND');
  t.equal(disbursementStream('r1-p-pump-01'), 'disbursement-r1-p-pump-01');
});

t.test('ApproveDisbursement: never by the requester', async (t) => {
  given(requested).when(approve).then(t, [{ type: 'DisbursementApproved', data: { approvedBy: finance2.id } }]);
  given(requested).when({ ...approve, actor: finance }).then(t, 'FOUR_EYES_VIOLATION');
  given(approved).when(approve).then(t, 'INVALID_STATE');
});

t.test('RecordDisbursementPayment: bank evidence, never by the approver', async (t) => {
  given(approved).when(pay).then(t, [{ type: 'DisbursementPaid', data: { amount: 10_000_000, bankReference: 'BOC-2018-7781', paidOn: '2018-08-20', recordedBy: finance3.id } }]);
  given(approved).when({ ...pay, actor: finance2 }).then(t, 'FOUR_EYES_VIOLATION');
  given(requested).when(pay).then(t, 'INVALID_STATE');
  given(paid).when(pay).then(t, 'INVALID_STATE');
});

t.test('CancelDisbursement before payment', async (t) => {
  const cancel = cmd('CancelDisbursement', { reason: 'wrong payee account' }, finance);
  given(approved).when(cancel).then(t, [{ type: 'DisbursementCancelled' }]);
  given(paid).when(cancel).then(t, 'INVALID_STATE');
  given(history(disbursementDecider, [cancel], requested)).when(approve).then(t, 'INVALID_STATE');
});

t.test('ReverseDisbursement compensates the whole payment and names the original', async (t) => {
  const reverse = cmd('ReverseDisbursement', { reversedOn: '2018-08-25', reason: 'account closed, bank returned funds' }, finance);
  given(paid).when(reverse).then(t, [{ type: 'DisbursementReversed', data: { amount: 10_000_000, originalBankReference: 'BOC-2018-7781' } }]);
  given(approved).when(reverse).then(t, 'INVALID_STATE');
  const partly = history(disbursementDecider, [cmd('ClawBackDisbursement', { clawbackId: 'cb1', amount: 1, decidedOn: '2018-09-01', reason: 'audit', basis: 'audit 7' }, finance)], paid);
  given(partly).when(reverse).then(t, 'CLAWBACK_EXCEEDS_PAID');
  t.equal(fold(disbursementDecider, history(disbursementDecider, [reverse], paid)).status, 'reversed');
});

t.test('ClawBackDisbursement recovers at most what was paid', async (t) => {
  const claw = (clawbackId: string, amount: number) =>
    cmd('ClawBackDisbursement', { clawbackId, amount, decidedOn: '2019-03-01', reason: 'audit finding', basis: 'audit 2019-04' }, finance);
  given(paid).when(claw('cb1', 4_000_000)).then(t, [{ type: 'DisbursementClawedBack', data: { amount: 4_000_000, originalBankReference: 'BOC-2018-7781' } }]);
  const once = history(disbursementDecider, [claw('cb1', 4_000_000)], paid);
  given(once).when(claw('cb1', 4_000_000)).then(t, []);
  given(once).when(claw('cb2', 6_000_000)).then(t, [{ type: 'DisbursementClawedBack' }]);
  given(once).when(claw('cb2', 6_000_001)).then(t, 'CLAWBACK_EXCEEDS_PAID');
  given(approved).when(claw('cb1', 1)).then(t, 'INVALID_STATE');
  t.equal(fold(disbursementDecider, once).clawedBack, 4_000_000);
});
