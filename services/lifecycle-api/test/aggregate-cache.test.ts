import t from 'tap';
import { AggregateCache, EventRefs, type CachedAggregate, type EventRef } from '../src/commands/aggregate-cache.js';

const entry = (revision: number, trusted = true): CachedAggregate => ({ state: { revision }, revision, events: EventRefs.of([]), trusted });

t.test('keeps at most maxStreams, dropping the least recently used', async (t) => {
  const cache = new AggregateCache(2);
  cache.set('a', entry(0));
  cache.set('b', entry(0));
  t.ok(cache.get('a'), 'a used: now b is the oldest');
  cache.set('c', entry(0));
  t.notOk(cache.get('b'), 'b dropped');
  t.ok(cache.get('a'));
  t.ok(cache.get('c'));
  t.equal(cache.stats().streams, 2);
});

t.test('never goes back to an earlier revision (a slow request finishing late)', async (t) => {
  const cache = new AggregateCache(10);
  cache.set('a', entry(5));
  cache.set('a', entry(3));
  t.equal(cache.get('a')?.revision, 5);
  cache.set('a', entry(6));
  t.equal(cache.get('a')?.revision, 6);
});

t.test('distrust keeps the entry but marks it to be read again', async (t) => {
  const cache = new AggregateCache(10);
  cache.set('a', entry(2));
  cache.distrust('a');
  t.same(cache.get('a'), { ...entry(2), trusted: false });
  cache.distrust('missing');
  t.notOk(cache.get('missing'));
});

t.test('size 0 keeps nothing; a negative or fractional size is refused', async (t) => {
  const cache = new AggregateCache(0);
  t.equal(cache.enabled, false);
  cache.set('a', entry(1));
  t.notOk(cache.get('a'));
  t.throws(() => new AggregateCache(-1));
  t.throws(() => new AggregateCache(1.5));
});

t.test('event references: each snapshot keeps what it held while later ones extend the shared list', async (t) => {
  const ref = (revision: number, tag = ''): EventRef => ({ id: `e${revision}${tag}`, type: 'T', revision, position: `p${revision}` as EventRef['position'] });
  const ids = (refs: EventRefs) => [...refs].map((r) => r.id);
  const none = EventRefs.of([]);
  t.equal(none.last, undefined);
  const s0 = none.extend([ref(0)]);
  const s1 = s0.extend([ref(1)]);
  const s2 = s1.extend([ref(2), ref(3)]);
  t.same(ids(s2), ['e0', 'e1', 'e2', 'e3']);
  t.equal(s2.length, 4);
  t.equal(s2.last?.id, 'e3');
  // An older snapshot extended again (a load that read what another request had appended): its own branch.
  const other = s1.extend([ref(2, 'x')]);
  t.same(ids(other), ['e0', 'e1', 'e2x']);
  t.same(ids(s2), ['e0', 'e1', 'e2', 'e3'], 'the newer snapshot is untouched');
  t.same(ids(s1), ['e0', 'e1'], 'and so is the one both grew from');
  t.same(ids(s0), ['e0']);
  t.same(ids(none), [], 'the empty list lends nothing to the first extension');
  t.same(ids(none.extend([ref(0, 'y')])), ['e0y']);
  t.same(ids(other.extend([ref(3, 'x')])), ['e0', 'e1', 'e2x', 'e3x']);
  t.same(ids(s2), ['e0', 'e1', 'e2', 'e3']);
  t.same(s2.filter((r) => r.revision % 2 === 1).map((r) => r.id), ['e1', 'e3'], 'filter sees the snapshot only');
  t.same(s1.filter(() => true).map((r) => r.id), ['e0', 'e1']);
  t.equal(s2.extend([]), s2, 'extending by nothing is the same snapshot');
});
