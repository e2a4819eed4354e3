import t from 'tap';
import { entryOf, withEntry } from '../../src/values/keyed.js';

t.test('entries are the record’s own keys, whatever the key', async (t) => {
  const empty: Readonly<Record<string, string>> = {};
  for (const key of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
    t.equal(entryOf(empty, key), undefined, `${key} is not an entry of an empty record`);
    const one = withEntry(empty, key, 'open');
    t.equal(entryOf(one, key), 'open', `${key} can be added`);
    t.equal(Object.getPrototypeOf(one), Object.prototype, 'the prototype is not touched');
    const two = withEntry(one, 'o2', 'dismissed');
    t.same(Object.keys(two), [key, 'o2'], 'and survives the next copy, in order');
    t.equal(JSON.parse(JSON.stringify(two))[key], 'open', 'and its JSON');
  }
  const base = { a: 'open' };
  const next = withEntry(base, 'a', 'upheld');
  t.same(base, { a: 'open' }, 'the record it came from is left as it was');
  t.same(next, { a: 'upheld' });
});
