import t from 'tap';
import { Fen, PositiveFen, applyRateFloor, formatYuan, yuan } from '../../src/values/fen.js';

t.test('fen accepts JSON integers and digit strings', async (t) => {
  t.equal(Fen.parse(0), 0);
  t.equal(Fen.parse(12345), 12345);
  t.equal(Fen.parse('200000000'), 200_000_000);
  t.equal(Fen.parse('9007199254740991'), Number.MAX_SAFE_INTEGER);
  t.equal(Fen.parse(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
  t.equal(Fen.parse(-0), 0);
});

t.test('fen refuses fractions, negatives, exponents, floats and unsafe values', async (t) => {
  const bad: unknown[] = [
    1.5,
    0.1,
    -1,
    '-1',
    '1.00',
    '1e6',
    '1E6',
    ' 100',
    '',
    '0x10',
    '9007199254740992',
    '99999999999999999',
    Number.MAX_SAFE_INTEGER + 1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    null,
    true,
    [100],
  ];
  for (const value of bad) t.notOk(Fen.safeParse(value).success, String(value));
  t.notOk(PositiveFen.safeParse(0).success);
  t.ok(PositiveFen.safeParse(1).success);
});

t.test('applying a rate rounds down to the fen, exactly', async (t) => {
  t.equal(applyRateFloor(yuan(2_000_000), 500), yuan(100_000));
  t.equal(applyRateFloor(yuan(4_000_000), 500), yuan(200_000));
  t.equal(applyRateFloor(100_000_001, 500), 5_000_000, '1,000,000.01 yuan × 5% = 50,000.0005 yuan → 50,000.00');
  t.equal(applyRateFloor(19, 500), 0, '0.95 fen rounds down to 0');
  t.equal(applyRateFloor(20, 500), 1);
  t.equal(applyRateFloor(0, 500), 0);
  t.equal(applyRateFloor(12345, 10_000), 12345);
});

t.test('near 2^53 the result is still exact (BigInt path)', async (t) => {
  const max = Number.MAX_SAFE_INTEGER;
  t.equal(applyRateFloor(max, 500), Number((BigInt(max) * 500n) / 10_000n));
  t.equal(applyRateFloor(max, 9_999), Number((BigInt(max) * 9_999n) / 10_000n));
  const justSafe = Math.floor(max / 500);
  t.equal(applyRateFloor(justSafe, 500), Number((BigInt(justSafe) * 500n) / 10_000n));
});

t.test('amounts render as yuan for officers', async (t) => {
  t.equal(formatYuan(123_456_789), '1,234,567.89 yuan');
  t.equal(formatYuan(5), '0.05 yuan');
});
