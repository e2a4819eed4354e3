import t from 'tap';
import { KeyedLog } from '../../src/values/keyed-log.js';
import { withEntry, type Keyed } from '../../src/values/keyed.js';

/** A seeded linear congruential generator, so a failure names a seed that repeats it. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

const json = (value: unknown): string => JSON.stringify(value);

t.test('each version holds what was set on it, whichever version is extended next', async (t) => {
  const keys = ['o1', 'o2', 'o3', 'constructor', '__proto__', '7', '12', 'toString'];
  const statuses = ['open', 'upheld', 'dismissed'] as const;
  for (let seed = 1; seed <= 40; seed++) {
    const next = random(seed);
    // Each version beside the plain record it must equal (a copy per setting, the old way).
    const versions: Array<{ log: KeyedLog<string>; record: Keyed<string> }> = [{ log: KeyedLog.empty(), record: {} }];
    let wrong = 0;
    for (let step = 0; step < 200; step++) {
      // Mostly the newest version, as a command on the cached state does; sometimes an older one.
      const from = next() < 0.7 ? versions[versions.length - 1]! : versions[Math.floor(next() * versions.length)]!;
      const key = keys[Math.floor(next() * keys.length)]!;
      const value = statuses[Math.floor(next() * statuses.length)]!;
      versions.push({ log: from.log.with(key, value), record: withEntry(from.record, key, value) });
      // Every version, old ones included, still equals its record.
      for (const v of versions) {
        if (json(v.log) !== json(v.record) || v.log.size !== Object.keys(v.record).length) wrong++;
        for (const k of keys) if (v.log.get(k) !== (Object.hasOwn(v.record, k) ? v.record[k] : undefined) || v.log.has(k) !== Object.hasOwn(v.record, k)) wrong++;
      }
    }
    t.equal(wrong, 0, `seed ${seed}: every version equals its record after 200 settings`);
  }
});

t.test('JSON is the record of entries in first-set order; ids named like Object.prototype members are entries', async (t) => {
  const empty = KeyedLog.empty<string>();
  for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
    t.equal(empty.get(key), undefined, `${key} is not in an empty map`);
    t.notOk(empty.has(key));
    const one = empty.with(key, 'open').with('o2', 'open').with(key, 'dismissed');
    t.same(one.entries(), [[key, 'dismissed'], ['o2', 'open']], `${key}: its first place is kept when it is set again`);
    const parsed = JSON.parse(JSON.stringify(one)) as Record<string, string>;
    t.same(Object.keys(parsed), [key, 'o2']);
    t.equal(Object.getPrototypeOf(one.toJSON()), Object.prototype, 'the record’s prototype is not touched');
  }
  const record = { b: 'open', a: 'upheld', '3': 'dismissed' };
  t.equal(json(KeyedLog.of(record)), json(record), 'of(record) gives back the record');
  t.equal(KeyedLog.of(record).size, 3);
});

t.test('the newest version grows without copying what older versions hold', async (t) => {
  // 20,000 settings on the newest version each time: a copy per setting would be 2 × 10⁸ entry copies.
  let log = KeyedLog.empty<number>();
  const kept: Array<KeyedLog<number>> = [];
  for (let i = 0; i < 20_000; i++) {
    log = log.with(`id-${i}`, i);
    if (i % 5_000 === 0) kept.push(log);
  }
  t.equal(log.size, 20_000);
  t.equal(log.get('id-19999'), 19_999);
  t.same(kept.map((k) => k.size), [1, 5_001, 10_001, 15_001], 'earlier versions keep their sizes');
  t.equal(kept[1]!.get('id-5001'), undefined, 'and do not see later settings');
  const branch = kept[1]!.with('id-5001', -1);
  t.equal(branch.get('id-5001'), -1, 'an older version extended again branches');
  t.equal(log.get('id-5001'), 5_001, 'without touching the newest');
});
