/**
 * The effective date an event's metadata carries (execute.ts): of the data's date fields, the one
 * listed first in EFFECTIVE_FIELDS. Checked against the plain reading of that rule, probing the
 * names in order, on the cases that matter and on random data.
 */
import t from 'tap';
import { effectiveDateOf } from '../src/commands/execute.js';

const ORDER = ['paidOn', 'reversedOn', 'decidedOn', 'reportedOn', 'visitedOn', 'checkedOn', 'completedOn', 'concludedOn', 'appliedOn', 'signedOn', 'startOn', 'startsOn', 'lodgedOn', 'opensOn', 'closedOn', 'occurredOn', 'submittedOn'];

function byTheRule(data: Record<string, unknown>): string | undefined {
  for (const field of ORDER) {
    const value = data[field];
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  }
  return undefined;
}

t.test('the first listed date field wins, whatever the order of the data', async (t) => {
  t.equal(effectiveDateOf({ amountFen: 100, paidOn: '2019-03-04' }), '2019-03-04');
  t.equal(effectiveDateOf({ submittedOn: '2018-06-01', paidOn: '2019-03-04' }), '2019-03-04', 'paidOn before submittedOn');
  t.equal(effectiveDateOf({ startsOn: '2018-07-01', endsOn: '2018-07-10' }), '2018-07-01', 'endsOn is not an effective date');
  t.equal(effectiveDateOf({ paidOn: 'soon', signedOn: '2019-01-02' }), '2019-01-02', 'a field without a calendar date is passed over');
  t.equal(effectiveDateOf({ paidOn: 20190304, lodgedOn: '2018-07-04T10:00:00Z' }), undefined, 'neither a number nor a timestamp is a date');
  t.equal(effectiveDateOf({}), undefined);
});

t.test('random data: the same answer as probing every name in order', async (t) => {
  const values = ['2019-03-04', '2020-12-31', 'not a date', 17, null, '2019-3-4'];
  const others = ['amountFen', 'endsOn', 'reason', 'projectId'];
  let mismatches = 0;
  for (let n = 0; n < 5_000; n++) {
    const data: Record<string, unknown> = {};
    const keys = [...ORDER, ...others].sort(() => Math.random() - 0.5).slice(0, Math.floor(Math.random() * 8));
    for (const key of keys) data[key] = values[Math.floor(Math.random() * values.length)];
    if (effectiveDateOf(data) !== byTheRule(data)) mismatches++;
  }
  t.equal(mismatches, 0);
});
