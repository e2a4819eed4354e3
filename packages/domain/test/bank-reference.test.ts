import t from 'tap';
import { BankReference, bankReferenceStream } from '../src/bank-reference/bank-reference.js';
import type { BankReferenceCommand } from '../src/bank-reference/registry.js';
import { bankReferenceDecider } from '../src/bank-reference/registry.js';
import { auditor, finance, on } from './fixtures/fixtures.js';
import { history, specFor } from './fixtures/given.js';

const given = specFor(bankReferenceDecider);
const claim = (kind: 'disbursement' | 'contract_payment', id: string): BankReferenceCommand => ({
  type: 'ClaimBankReference',
  actor: finance,
  at: on('2019-10-09'),
  data: { bankReference: 'ICBC-2019-0001', claimant: { kind, id } },
});

t.test('the first claim of a bank reference wins', async (t) => {
  given([]).when(claim('disbursement', 'd1')).then(t, [{ type: 'BankReferenceClaimed', data: { claimant: { kind: 'disbursement', id: 'd1' } } }]);
  const claimed = history(bankReferenceDecider, [claim('disbursement', 'd1')]);
  given(claimed).when(claim('disbursement', 'd1')).then(t, []);
  given(claimed).when(claim('disbursement', 'd2')).then(t, 'BANK_REFERENCE_ALREADY_USED');
  given(claimed).when(claim('contract_payment', 'd1')).then(t, 'BANK_REFERENCE_ALREADY_USED');
  given([]).when({ ...claim('disbursement', 'd1'), actor: auditor }).then(t, 'ROLE_NOT_ALLOWED');
});

t.test('bank references are normalised', async (t) => {
  t.equal(BankReference.parse(' icbc 2019 0001 '), 'ICBC20190001');
  t.notOk(BankReference.safeParse('ab').success);
  t.notOk(BankReference.safeParse('ICBC/2019').success);
  t.equal(bankReferenceStream('ICBC-2019-0001'), 'bank-reference-ICBC-2019-0001');
});
