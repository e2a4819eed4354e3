import t from 'tap';
import { canonicalize, CanonicalJsonError } from '../src/canonical-json.js';

function fromIeeeHex(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

t.test('RFC 8785 section 3.2.2: the sample object', async (t) => {
  const input = JSON.parse(`{
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
    "literals": [null, true, false]
  }`) as unknown;
  t.equal(
    canonicalize(input),
    `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA'B\\"\\\\\\\\\\"/"}`,
  );
});

t.test('RFC 8785 section 3.2.3: properties sort by UTF-16 code units', async (t) => {
  const input = JSON.parse(`{
    "\\u20ac": "Euro Sign",
    "\\r": "Carriage Return",
    "\\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\\ud83d\\ude00": "Emoji: Grinning Face",
    "\\u0080": "Control",
    "\\u00f6": "Latin Small Letter O With Diaeresis"
  }`) as unknown;
  t.equal(
    canonicalize(input),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis",' +
      '"€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
});

t.test('key order equals Array.prototype.sort for random keys, few or many (both ways of sorting)', async (t) => {
  const alphabet = ['a', 'b', 'Z', '0', '9', '_', 'é', '€', '\ud83d\ude00', '\ufb33', '\u0080', ' '];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  let wrong = 0;
  for (let round = 0; round < 2_000; round++) {
    const record: Record<string, string> = {};
    const size = Math.floor(next() * 30);
    for (let i = 0; i < size; i++) {
      let key = '';
      for (let c = Math.floor(next() * 4); c >= 0; c--) key += alphabet[Math.floor(next() * alphabet.length)]!;
      record[key] = key;
    }
    const expected = `{${Object.keys(record).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`).join(',')}}`;
    if (canonicalize(record) !== expected) wrong++;
  }
  t.equal(wrong, 0, '2,000 records of 0-29 random keys');
});

t.test('RFC 8785 appendix B: number serialisation', async (t) => {
  const vectors: Array<[string, string]> = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [hex, expected] of vectors) t.equal(canonicalize(fromIeeeHex(hex)), expected, hex);
});

t.test('RFC 8785 appendix B: NaN and Infinity have no canonical form', async (t) => {
  t.throws(() => canonicalize(fromIeeeHex('7fffffffffffffff')), CanonicalJsonError);
  t.throws(() => canonicalize(fromIeeeHex('7ff0000000000000')), CanonicalJsonError);
  t.throws(() => canonicalize(-Infinity), CanonicalJsonError);
});

t.test('nested structures keep array order and sort every object', async (t) => {
  t.equal(canonicalize({ b: [3, { z: 1, a: [] }], a: {} }), '{"a":{},"b":[3,{"a":[],"z":1}]}');
});

t.test('control characters use lower-case \\u escapes, others stay literal', async (t) => {
  t.equal(canonicalize('\u0000\u001f\b\t\n\f\r"\\/\u007f\u2028'), '"\\u0000\\u001f\\b\\t\\n\\f\\r\\"\\\\/\u007f\u2028"');
});

t.test('object members that are undefined are left out, like JSON.stringify', async (t) => {
  t.equal(canonicalize({ a: undefined, b: 1 }), '{"b":1}');
});

t.test('values JSON.stringify would coerce are refused with their path', async (t) => {
  t.throws(() => canonicalize({ a: [1, 2n] }), { name: 'CanonicalJsonError', path: '$.a[1]' });
  t.throws(() => canonicalize({ when: new Date(0) }), { name: 'CanonicalJsonError', path: '$.when' });
  t.throws(() => canonicalize({ m: new Map() }), { name: 'CanonicalJsonError', path: '$.m' });
  t.throws(() => canonicalize([undefined]), { name: 'CanonicalJsonError', path: '$[0]' });
  t.throws(() => canonicalize({ f: () => 1 }), { name: 'CanonicalJsonError', path: '$.f' });
  t.throws(() => canonicalize({ s: 'a\ud800b' }), /lone surrogate/);
  t.throws(() => canonicalize({ ['\udc00']: 1 }), /lone surrogate/);
});

t.test('objects without a prototype are plain objects', async (t) => {
  const o = Object.create(null) as Record<string, unknown>;
  o.b = 2;
  o.a = 1;
  t.equal(canonicalize(o), '{"a":1,"b":2}');
});

t.test('a cycle is refused instead of overflowing the stack', async (t) => {
  const o: Record<string, unknown> = {};
  o.self = o;
  t.throws(() => canonicalize(o), /nested deeper/);
});

t.test('what JSON.parse reads back canonicalises to the same text', async (t) => {
  const value = { text: 'é😀\u0000"', n: [0.1, -0, 1e21, 5e-324, 123456789012345680000], deep: { z: null, a: true } };
  t.equal(canonicalize(JSON.parse(JSON.stringify(value))), canonicalize(value));
});
