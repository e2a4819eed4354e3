import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels } from '@gongguan/projections';
import { fenSum } from '../src/routes/fen.js';
import { moneyByRuleAndYear, moneyInPeriod } from '../src/routes/report-queries.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

t.test('fenSum: a JSON integer while safe, the exact digits beyond', async (t) => {
  t.equal(fenSum('9007199254740991'), 9_007_199_254_740_991);
  t.equal(fenSum('9007199254740993'), '9007199254740993', '2^53 + 1 has no double: a string');
  t.equal(fenSum('-9007199254740993'), '-9007199254740993');
  t.equal(fenSum(null), 0);
  t.throws(() => fenSum('1.5'), RangeError, 'never a fraction');
  t.throws(() => fenSum('1e20'), RangeError);
});

// 1,001 payments of 2^53 − 1 fen (the largest amount money input accepts) and one of 2 fen: a
// float8 sum rounds this to a multiple of 2^11 or more; the exact sum is (2^53 − 1) × 1001 + 2.
const big = 2n ** 53n - 1n;
const exact = (big * 1001n + 2n).toString();

for (const target of targets) {
  const db = await target();
  t.test(`money sums are exact beyond 2^53 on ${db.name}`, async (t) => {
    const sql = await db.open();
    t.teardown(async () => {
      await sql.close();
      await db.drop();
    });
    await ensureReadModels(sql, allProjections);
    await sql.query(
      `insert into reporting.money_movements (movement_id, position, disbursement_id, rule, project_id, payee_credit_code, kind, amount, on_date, year, bureau_code, bureau_path)
       select 'm-' || i, lpad(i::text, 20, '0'), 'd-' || i, 'R2', 'p-1', '91331000MA2AB12341', 'paid', $1::bigint, '2024-03-01'::date, 2024, '331000', '330000.331000'
         from generate_series(1, 1001) i
       union all select 'm-last', lpad('2000', 20, '0'), 'd-last', 'R2', 'p-1', '91331000MA2AB12341', 'paid', 2, '2024-03-02', 2024, '331000', '330000.331000'`,
      [big.toString()],
    );
    const inPeriod = await moneyInPeriod(sql, '2024-01-01', '2024-12-31');
    t.strictSame(inPeriod, [{ group: 'money:R2', key: 'paid', count: 1002, amount: exact }]);
    const byYear = await moneyByRuleAndYear(sql, 2024);
    t.strictSame(
      byYear.map((l) => [l.group, l.key, l.amount]),
      [
        ['R2:2024', 'net', exact],
        ['R2:2024', 'paid', exact],
      ],
    );
    const { rows } = await sql.query<{ f: number }>(`select sum(amount)::float8 as f from reporting.money_movements`);
    t.not(BigInt(Math.round(Number(rows[0]?.f))).toString(), exact, 'the float sum the reports used to send is not the amount');
  });
}
