import t from 'tap';
import { bankReference, decideContractPayment, project, r2Ledger, type ContractPaymentState, type ProjectEvent } from '../src/index.js';
import { codes, officer, on } from './fixtures/fixtures.js';
import { withContract } from './fixtures/project-story.js';

const projectState = (events: readonly ProjectEvent[]) => events.reduce(project.decider.evolve, project.decider.initialState);
const fresh = (): ContractPaymentState => ({
  bankReference: bankReference.decider.initialState,
  project: projectState(withContract),
  ledger: r2Ledger.decider.initialState,
});
const pay = (paymentId: string, amount: number, ref = 'ICBC-2019-0001') => ({
  actor: officer,
  at: on('2019-10-09'),
  data: { paymentId, contractId: 'c1', amount, bankReference: ref, paidOn: '2019-10-08' },
  claimantId: `p-pump-01.${paymentId}`,
});

t.test('given a contract, when its bank payment is confirmed, then the claim, the payment with its assessment, and the ledger entry: nothing left pending', async (t) => {
  const decided = decideContractPayment(pay('pay1', 200_000_000), fresh());
  t.match(decided.bankReference, [{ type: 'BankReferenceClaimed', data: { bankReference: 'ICBC-2019-0001', claimant: { kind: 'contract_payment', id: 'p-pump-01.pay1' } } }]);
  t.match(decided.ledger, [{ type: 'R2LedgerOpened', data: { creditCode: codes.lead, year: 2019 } }, { type: 'R2PaymentAssessed', data: { projectId: 'p-pump-01', paymentId: 'pay1', subsidyGranted: 10_000_000 } }]);
  t.match(decided.project, [
    { type: 'ContractPaymentConfirmed', data: { paymentId: 'pay1', enterpriseCreditCode: codes.lead } },
    { type: 'SubsidyAssessmentRecorded', data: { paymentId: 'pay1', step: 'payment', ledgerStream: `subsidy-${codes.lead}-2019`, subsidyGranted: 10_000_000, clawback: 0 } },
  ]);
  const after = decided.project.reduce(project.decider.evolve, fresh().project);
  t.same(after.payments.pay1?.paymentAssessed, true, 'the project shows nothing pending');
});

t.test('given a bank reference claimed by another payment, then BANK_REFERENCE_ALREADY_USED and nothing is decided', async (t) => {
  const first = decideContractPayment(pay('pay1', 200_000_000), fresh());
  const state = { ...fresh(), bankReference: first.bankReference.reduce(bankReference.decider.evolve, bankReference.decider.initialState) };
  t.throws(() => decideContractPayment(pay('pay2', 10_000_000), state), { code: 'BANK_REFERENCE_ALREADY_USED' });
});

t.test('given a payment beyond the contract amount, then the project refuses it before any ledger entry', async (t) => {
  t.throws(() => decideContractPayment(pay('pay1', 300_000_000), fresh()), { code: 'PAYMENT_EXCEEDS_CONTRACT' });
});
