import t from 'tap';
import { taizhouPolicy } from '../../src/policy.js';
import type { R3LedgerCommand } from '../../src/subsidy/r3-ledger.js';
import { r3LedgerDecider, r3LedgerStream } from '../../src/subsidy/r3-ledger.js';
import { yuan } from '../../src/values/fen.js';
import { codes, finance, on } from '../fixtures/fixtures.js';
import { history, specFor } from '../fixtures/given.js';

const given = specFor(r3LedgerDecider);
const policy = { r3RateBps: taizhouPolicy.r3RateBps, r3AnnualCap: taizhouPolicy.r3AnnualCap };
const record = (transactionId: string, amount: number, inCity = true, occurredOn = '2019-05-01'): R3LedgerCommand => ({
  type: 'RecordR3Transaction',
  actor: finance,
  at: on('2019-05-02'),
  data: { bureauCode: '331000', creditCode: codes.institution, year: 2019, policy, transactionId, amount, occurredOn, inCity, description: 'patent licence brokered' },
});
const reverse = (transactionId: string): R3LedgerCommand => ({
  type: 'ReverseR3Transaction',
  actor: finance,
  at: on('2019-06-02'),
  data: { transactionId, reversedOn: '2019-06-01', reason: 'contract rescinded' },
});

t.test('R3: 4,000,000 yuan of in-city volume earns 200,000 yuan', async (t) => {
  given([]).when(record('t1', yuan(4_000_000))).then(t, [
    { type: 'R3LedgerOpened', data: { creditCode: codes.institution, year: 2019 } },
    { type: 'R3TransactionRecorded', data: { entitlementAfter: yuan(200_000), subsidyGranted: yuan(200_000) } },
  ]);
  t.equal(r3LedgerStream('331000', codes.institution, 2019), `r3-${codes.institution}-2019`);
  t.equal(r3LedgerStream('331100', codes.institution, 2019), `r3-331100-${codes.institution}-2019`);
});

t.test('R3 is capped at 500,000 yuan a year and a reversal claws back', async (t) => {
  const capped = history(r3LedgerDecider, [record('t1', yuan(4_000_000)), record('t2', yuan(8_000_000))]);
  given(history(r3LedgerDecider, [record('t1', yuan(4_000_000))])).when(record('t2', yuan(8_000_000))).then(t, [
    { type: 'R3TransactionRecorded', data: { entitlementBefore: yuan(200_000), entitlementAfter: yuan(500_000), subsidyGranted: yuan(300_000) } },
  ]);
  given(capped).when(reverse('t2')).then(t, [{ type: 'R3TransactionReversed', data: { entitlementAfter: yuan(200_000), clawback: yuan(300_000) } }]);
  given(capped).when(record('t1', yuan(4_000_000))).then(t, []);
  given(history(r3LedgerDecider, [reverse('t2')], capped)).when(reverse('t2')).then(t, []);
});

t.test('R3 refusals', async (t) => {
  given([]).when(record('t1', yuan(1_000), false)).then(t, 'NOT_IN_CITY');
  given([]).when(record('t1', yuan(1_000), true, '2018-12-31')).then(t, 'LEDGER_YEAR_MISMATCH');
  given([]).when(reverse('t1')).then(t, 'LEDGER_ENTRY_NOT_FOUND');
  const opened = history(r3LedgerDecider, [record('t1', yuan(1_000))]);
  const other = record('t2', 1);
  if (other.type === 'RecordR3Transaction') {
    given(opened).when({ ...other, data: { ...other.data, creditCode: codes.university } }).then(t, 'LEDGER_PARTY_MISMATCH');
  }
  given(opened).when(record('t3', Number.MAX_SAFE_INTEGER)).then(t, 'AMOUNT_OUT_OF_RANGE');
});
