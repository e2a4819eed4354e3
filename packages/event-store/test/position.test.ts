import t from 'tap';
import {
  comparePositions,
  isPosition,
  parsePosition,
  positionFromParts,
  positionParts,
  positionToString,
  START_POSITION,
} from '../src/position.js';

t.test('string order is numeric order of the parts', async (t) => {
  const pairs: Array<[bigint, bigint]> = [
    [0n, 0n],
    [0n, 1n],
    [1n, 0n],
    [9n, 255n],
    [10n, 2n],
    [255n, 0n],
    [256n, 0n],
    [2n ** 40n, 7n],
    [2n ** 64n - 1n, 2n ** 64n - 1n],
  ];
  const positions = pairs.map(([a, b]) => positionFromParts(a, b));
  t.same([...positions].sort(), positions, 'plain sort keeps the order');
  for (let i = 1; i < positions.length; i++) {
    const [before, after] = [positions[i - 1], positions[i]];
    if (before && after) t.equal(comparePositions(before, after), -1);
  }
  t.equal(START_POSITION, positions[0]);
});

t.test('a position round-trips through text and through its parts', async (t) => {
  const p = positionFromParts(123_456n, 789n);
  t.equal(positionToString(p), '000000000001e240-0000000000000315');
  t.equal(parsePosition(positionToString(p)), p);
  t.same(positionParts(p), { major: 123_456n, minor: 789n });
  t.equal(comparePositions(p, p), 0);
});

t.test('anything else is not a position', async (t) => {
  for (const bad of ['', '1-2', '000000000001E240-0000000000000315', '000000000001e240_0000000000000315', ' 000000000001e240-0000000000000315']) {
    t.notOk(isPosition(bad), JSON.stringify(bad));
    t.throws(() => parsePosition(bad), { code: 'VALIDATION_FAILED' });
  }
  t.throws(() => positionFromParts(-1n, 0n), RangeError);
  t.throws(() => positionFromParts(0n, 2n ** 64n), RangeError);
});
