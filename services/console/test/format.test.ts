import fc from 'fast-check';
import t from 'tap';
import { fenForApi, fenToYuanInput, formatDate, formatDateTime, formatWan, formatYuan, parseYuan } from '../src/web/lib/format.js';

t.test('money shown in yuan, exactly, from integer fen (numbers and digit strings beyond 2^53)', async (t) => {
  t.equal(formatYuan(123456789), '¥1,234,567.89');
  t.equal(formatYuan(5), '¥0.05');
  t.equal(formatYuan(-250), '-¥2.50');
  t.equal(formatYuan('900719925474099312'), '¥9,007,199,254,740,993.12', 'beyond 2^53 − 1 as a string of digits');
  t.equal(formatYuan(null), '—');
  t.equal(formatWan(300_000_000), '300 万元');
  t.equal(formatWan(123_456_789), '123.4568 万元', 'rounded to the yuan');
  t.throws(() => formatYuan(1.5), RangeError, 'a fraction of a fen is refused');
});

t.test('yuan typed by people become fen exactly', async (t) => {
  t.equal(parseYuan('3,000,000.00'), '300000000');
  t.equal(parseYuan('¥1234567.8'), '123456780');
  t.equal(parseYuan('０.０１'), '1', 'full-width digits folded');
  t.equal(parseYuan('12元'), '1200');
  t.equal(parseYuan('0.1'), '10', 'no binary floating point: 0.1 yuan is 10 fen');
  for (const bad of ['', 'abc', '1.234', '-5', '1e6', '1,2.3.4']) t.equal(parseYuan(bad), undefined, `refused: ${JSON.stringify(bad)}`);
  t.equal(fenForApi('300000000'), 300000000);
  t.equal(fenForApi('90071992547409931'), '90071992547409931', 'beyond 2^53 − 1 stays a string');
});

t.test('property: fen → yuan text → fen is the identity, and the shown text carries the same digits', async (t) => {
  fc.assert(
    fc.property(fc.bigInt({ min: 0n, max: 10n ** 18n - 1n }), (fen) => {
      const back = parseYuan(fenToYuanInput(fen));
      if (back !== fen.toString()) throw new Error(`${fen} → ${fenToYuanInput(fen)} → ${back}`);
      const shown = formatYuan(fen).replace(/[¥,.]/g, '').replace(/^0+(?=\d)/, '');
      if (BigInt(shown) !== fen) throw new Error(`${fen} shown as ${formatYuan(fen)}`);
    }),
    { numRuns: 2000 },
  );
  t.pass('2000 random amounts round-trip exactly');
});

t.test('dates in Chinese as 2026年12月2日; instants in Beijing time', async (t) => {
  t.equal(formatDate('2026-12-02', 'zh'), '2026年12月2日');
  t.equal(formatDate('2026-12-02', 'en'), '2 Dec 2026');
  t.equal(formatDate('2026-12-01T16:30:00Z', 'zh'), '2026年12月2日', '00:30 in Beijing is the next day');
  t.equal(formatDateTime('2026-12-01T16:30:00Z', 'zh'), '2026年12月2日 00:30');
  t.equal(formatDate(null, 'zh'), '—');
});
