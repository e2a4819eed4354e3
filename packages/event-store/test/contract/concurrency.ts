import type { Test } from 'tap';
import { comparePositions, isConcurrencyError, type EventStore, type RecordedEvent } from '../../src/index.js';
import { category, collect, events, type ContractAdapter } from './helpers.js';

export function concurrencyContract(t: Test, store: EventStore, adapter: ContractAdapter): void {
  t.test('20 writers racing on one stream at one expected revision: exactly one wins each round', async (t) => {
    const stream = `${category()}-1`;
    await store.append(stream, events(1), { expectedRevision: 'no_stream' });
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () => store.append(stream, events(2), { expectedRevision: round * 2 })),
      );
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      t.equal(won.length, 1, `round ${round}: one winner`);
      t.ok(lost.every((e) => isConcurrencyError(e) && e.extra.actualRevision === round * 2 + 2), `round ${round}: the rest conflict`);
    }
    const read = await store.readStream(stream);
    t.equal(read.length, 11);
  });

  t.test("writers appending with 'any' to one stream never lose an event", async (t) => {
    const stream = `${category()}-1`;
    await Promise.all(Array.from({ length: 10 }, () => store.append(stream, events(3), { expectedRevision: 'any' })));
    const read = await store.readStream(stream);
    t.same(read.map((e) => e.revision), Array.from({ length: 30 }, (_, i) => i));
  });

  const writers = adapter.writers ?? 8;
  const perWriter = adapter.eventsPerWriter ?? 10_000;
  t.test(`${writers} concurrent writers × ${perWriter} events while a subscriber follows live`, async (t) => {
    const start = await store.headPosition();
    const cat = category();
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    const total = writers * perWriter;
    const received = collect(store.subscribe({ after: start, signal: stop.signal, filter: { streamPrefixes: [`${cat}-`] } }), (seen) => seen.length >= total, 120_000);
    const appended = new Set<string>();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        // Each writer keeps four streams of its own and shares one with every other writer.
        const revisions = new Map<string, number>();
        let sent = 0;
        for (let k = 0; sent < perWriter; k++) {
          const size = Math.min(perWriter - sent, 1 + ((k * 7 + w) % 19));
          const batch = events(size);
          if (k % 10 === 9) {
            await store.append(`${cat}-shared`, batch, { expectedRevision: 'any' });
          } else {
            const stream = `${cat}-w${w}s${k % 4}`;
            const expectedRevision = revisions.get(stream) ?? 'no_stream';
            revisions.set(stream, (await store.append(stream, batch, { expectedRevision })).nextRevision);
          }
          for (const e of batch) appended.add(e.id);
          sent += size;
        }
      }),
    );
    const { events: seen } = await received;
    t.equal(appended.size, total);
    t.equal(seen.length, total, 'received = appended');
    t.equal(new Set(seen.map((e) => e.id)).size, total, 'no duplicates');
    t.ok(seen.every((e) => appended.has(e.id)), 'nothing foreign');
    let ordered = true;
    const lastRevision = new Map<string, number>();
    let previous: RecordedEvent | undefined;
    for (const e of seen) {
      if (previous && comparePositions(previous.position, e.position) >= 0) ordered = false;
      if (e.revision !== (lastRevision.get(e.stream) ?? -1) + 1) ordered = false;
      lastRevision.set(e.stream, e.revision);
      previous = e;
    }
    t.ok(ordered, 'positions strictly increase and every stream arrives revision by revision');
    const again = await store.readAll({ after: start, limit: 10_000, filter: { streamPrefixes: [`${cat}-`] } });
    t.same(again.events.slice(0, 100).map((e) => e.id), seen.slice(0, 100).map((e) => e.id), 'readAll agrees with the subscription');
  });
}
