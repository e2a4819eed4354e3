import type { Test } from 'tap';
import type { EventStore, SubscriptionItem } from '../../src/index.js';
import { category, collect, events, sleep, type ContractAdapter } from './helpers.js';

export function subscribeContract(t: Test, store: EventStore, _adapter: ContractAdapter): void {
  t.test('a subscription catches up, says so, then follows live appends', async (t) => {
    const start = await store.headPosition();
    const cat = category();
    await store.append(`${cat}-1`, events(3), { expectedRevision: 'no_stream' });
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    const items: SubscriptionItem[] = [];
    const done = collect(store.subscribe({ after: start, signal: stop.signal, filter: { streamPrefixes: [`${cat}-`] } }), (_seen, item) => {
      items.push(item);
      return items.filter((i) => i.kind === 'event').length === 6;
    });
    await sleep(50);
    await store.append(`${cat}-1`, events(2), { expectedRevision: 2 });
    await store.append(`${cat}-2`, events(1), { expectedRevision: 'no_stream' });
    const { events: seen } = await done;
    t.same(seen.map((e) => `${e.stream}@${e.revision}`), [`${cat}-1@0`, `${cat}-1@1`, `${cat}-1@2`, `${cat}-1@3`, `${cat}-1@4`, `${cat}-2@0`]);
    const marker = items.findIndex((i) => i.kind === 'caught-up');
    t.equal(marker, 3, 'caught-up comes after the three stored events');
    t.match(items[marker], { kind: 'caught-up', position: seen[2]?.position });
    t.equal(items.filter((i) => i.kind === 'caught-up').length, 1, 'caught-up is said once');
  });

  t.test('a subscription from the head of an idle log is caught up at once', async (t) => {
    const head = await store.headPosition();
    const stop = new AbortController();
    const { items } = await collect(store.subscribe({ after: head, signal: stop.signal }), () => true, 5_000);
    stop.abort();
    t.same(items, [{ kind: 'caught-up', position: head }]);
  });

  t.test('aborting the signal ends a waiting subscription quietly', async (t) => {
    const stop = new AbortController();
    const iteration = collect(store.subscribe({ after: await store.headPosition(), signal: stop.signal }), () => false, 10_000);
    await sleep(50);
    const started = Date.now();
    stop.abort();
    const { events: seen } = await iteration;
    t.same(seen, []);
    t.ok(Date.now() - started < 1_000, 'it ends promptly');
  });

  t.test('a subscription filters by event type', async (t) => {
    const start = await store.headPosition();
    const cat = category();
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    const done = collect(store.subscribe({ after: start, signal: stop.signal, filter: { eventTypes: ['Wanted'] } }), (seen) => seen.length === 2);
    await store.append(`${cat}-1`, [...events(1, 'Unwanted'), ...events(1, 'Wanted')], { expectedRevision: 'any' });
    await store.append(`${cat}-1`, [...events(1, 'Wanted'), ...events(1, 'Unwanted')], { expectedRevision: 'any' });
    const { events: seen } = await done;
    t.same(seen.map((e) => e.revision), [1, 2]);
  });

  t.test('minWakeIntervalMs: a spaced subscription still gets every event; a bad value is refused', async (t) => {
    t.throws(() => store.subscribe({ minWakeIntervalMs: -1 }), { code: 'VALIDATION_FAILED' });
    t.throws(() => store.subscribe({ minWakeIntervalMs: 1.5 }), { code: 'VALIDATION_FAILED' });
    const start = await store.headPosition();
    const cat = category();
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    const done = collect(store.subscribe({ after: start, signal: stop.signal, minWakeIntervalMs: 100, filter: { streamPrefixes: [`${cat}-`] } }), (seen) => seen.length === 10);
    for (let i = 0; i < 10; i++) {
      await store.append(`${cat}-1`, events(1), { expectedRevision: i === 0 ? 'no_stream' : i - 1 });
      await sleep(5);
    }
    const { events: seen } = await done;
    t.same(seen.map((e) => e.revision), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
}
