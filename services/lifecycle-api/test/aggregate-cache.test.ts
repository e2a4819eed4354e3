import t from 'tap';
import { AggregateCache, type CachedAggregate } from '../src/commands/aggregate-cache.js';

const entry = (revision: number, trusted = true): CachedAggregate => ({ state: { revision }, revision, events: [], trusted });

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
