import type { Test } from 'tap';
import { comparePositions, isConcurrencyError, type EventStore, type RecordedEvent, type StreamAppend } from '../../src/index.js';
import { category, collect, events, newEvent } from './helpers.js';

async function streamOrNothing(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(stream);
  } catch (err) {
    if ((err as { code?: string }).code === 'STREAM_NOT_FOUND') return [];
    throw err;
  }
}

export function appendMultiContract(t: Test, store: EventStore): void {
  t.test('appendMulti writes every stream and answers per input, in input order', async (t) => {
    const cat = category();
    await store.append(`${cat}-b`, events(2), { expectedRevision: 'no_stream' });
    // Inputs out of stream order: the answers still follow the inputs.
    const results = await store.appendMulti([
      { stream: `${cat}-c`, events: events(1), expectedRevision: 'no_stream' },
      { stream: `${cat}-b`, events: events(3), expectedRevision: 1 },
      { stream: `${cat}-a`, events: [], expectedRevision: 'any' },
    ]);
    const c = await store.readStream(`${cat}-c`);
    const b = await store.readStream(`${cat}-b`);
    t.equal(results.length, 3);
    t.same(results[0], { nextRevision: 0, position: c[0]?.position });
    t.same(results[1], { nextRevision: 4, position: b[4]?.position });
    t.equal(results[2]?.nextRevision, -1, 'an empty part only checks its expectation');
    t.same(b.map((e) => e.revision), [0, 1, 2, 3, 4]);
    t.equal(b[2]?.prevHash, b[1]?.hash, 'the chain runs on');
  });

  t.test('appendMulti is all or nothing: a conflict on the second stream writes nothing and names it', async (t) => {
    const cat = category();
    await store.append(`${cat}-b`, events(2), { expectedRevision: 'no_stream' });
    const first = events(2);
    const err: unknown = await store
      .appendMulti([
        { stream: `${cat}-a`, events: first, expectedRevision: 'no_stream' },
        { stream: `${cat}-b`, events: events(1), expectedRevision: 0 },
      ])
      .catch((e: unknown) => e);
    t.ok(isConcurrencyError(err), 'a ConcurrencyError');
    if (isConcurrencyError(err)) t.same(err.extra, { stream: `${cat}-b`, expectedRevision: 0, actualRevision: 1 });
    t.same(await streamOrNothing(store, `${cat}-a`), [], 'the first stream got nothing');
    t.equal((await store.readStream(`${cat}-b`)).length, 2);
    // The same call with the right revision goes through, ids and all: nothing of the refusal stayed.
    const results = await store.appendMulti([
      { stream: `${cat}-a`, events: first, expectedRevision: 'no_stream' },
      { stream: `${cat}-b`, events: events(1), expectedRevision: 1 },
    ]);
    t.same(results.map((r) => r.nextRevision), [1, 2]);
  });

  t.test('appendMulti: a retry of a call that succeeded answers as the first time and writes nothing', async (t) => {
    const cat = category();
    await store.append(`${cat}-b`, events(1), { expectedRevision: 'no_stream' });
    const call = [
      { stream: `${cat}-a`, events: events(2), expectedRevision: 'no_stream' as const },
      { stream: `${cat}-b`, events: events(1), expectedRevision: 0 },
    ];
    const first = await store.appendMulti(call);
    const again = await store.appendMulti(call);
    t.same(again, first);
    t.equal((await store.readStream(`${cat}-a`)).length, 2);
    t.equal((await store.readStream(`${cat}-b`)).length, 2);
    // Another call's events on top, then the retry: still the first answer.
    await store.append(`${cat}-b`, events(1), { expectedRevision: 1 });
    t.same(await store.appendMulti(call), first, 'after the streams moved on');
  });

  t.test('appendMulti: an id stored elsewhere is a DUPLICATE_EVENT_ID and nothing is written', async (t) => {
    const cat = category();
    const stored = newEvent();
    await store.append(`${cat}-x`, [stored], { expectedRevision: 'no_stream' });
    await t.rejects(
      store.appendMulti([
        { stream: `${cat}-a`, events: events(1), expectedRevision: 'no_stream' },
        { stream: `${cat}-b`, events: [stored], expectedRevision: 'no_stream' },
      ]),
      { code: 'DUPLICATE_EVENT_ID' },
    );
    t.same(await streamOrNothing(store, `${cat}-a`), []);
    t.same(await streamOrNothing(store, `${cat}-b`), []);
  });

  t.test('appendMulti refuses a stream or an event id given twice, before writing', async (t) => {
    const cat = category();
    const twice = newEvent();
    await t.rejects(
      store.appendMulti([
        { stream: `${cat}-a`, events: events(1), expectedRevision: 'no_stream' },
        { stream: `${cat}-a`, events: events(1), expectedRevision: 'any' },
      ]),
      { code: 'VALIDATION_FAILED' },
    );
    await t.rejects(
      store.appendMulti([
        { stream: `${cat}-a`, events: [twice], expectedRevision: 'no_stream' },
        { stream: `${cat}-b`, events: [twice], expectedRevision: 'no_stream' },
      ]),
      { code: 'VALIDATION_FAILED' },
    );
    await t.rejects(store.appendMulti([{ stream: 'Bad Name', events: events(1), expectedRevision: 'any' }]), { code: 'INVALID_STREAM_NAME' });
    t.same(await streamOrNothing(store, `${cat}-a`), []);
    t.same(await store.appendMulti([]), [], 'an empty call answers nothing');
  });

  if (!store.capabilities.atomicMultiStream) return;

  t.test('concurrent appendMulti calls racing on the same streams: exactly one wins each round', async (t) => {
    const cat = category();
    const [a, b, c] = [`${cat}-a`, `${cat}-b`, `${cat}-c`];
    await store.appendMulti([
      { stream: a, events: events(1), expectedRevision: 'no_stream' },
      { stream: b, events: events(1), expectedRevision: 'no_stream' },
    ]);
    for (let round = 0; round < 5; round++) {
      // Half name the streams the other way round, some share only one stream with the rest, and
      // single appends to the same streams join in: none may deadlock, one multi append wins.
      const calls = Array.from({ length: 12 }, (_, i) => {
        const parts: StreamAppend[] = [
          { stream: a, events: events(1), expectedRevision: round },
          { stream: b, events: events(2), expectedRevision: round * 2 },
        ];
        if (i % 3 === 2) parts.push({ stream: `${c}${i}r${round}`, events: events(1), expectedRevision: 'no_stream' });
        return store.appendMulti(i % 2 === 0 ? parts : parts.reverse());
      });
      const singles = Array.from({ length: 4 }, () => store.append(b, events(1), { expectedRevision: round * 2 }));
      const settled = await Promise.allSettled([...calls, ...singles]);
      const won = settled.filter((r) => r.status === 'fulfilled');
      const lost = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      t.equal(won.length, 1, `round ${round}: one winner`);
      t.ok(lost.every((e) => isConcurrencyError(e)), `round ${round}: the rest conflict`);
      if (settled.slice(12).some((r) => r.status === 'fulfilled')) {
        // A single append won stream b: put a in step so the next round's expectations hold.
        await store.append(a, events(1), { expectedRevision: round });
        await store.append(b, events(1), { expectedRevision: round * 2 + 1 });
      }
    }
    t.equal((await store.readStream(a)).length, 6);
    t.equal((await store.readStream(b)).length, 11);
  });

  t.test('appendMulti: readAll and subscribers see each call whole and in order', async (t) => {
    const start = await store.headPosition();
    const cat = category();
    const stop = new AbortController();
    t.teardown(() => stop.abort());
    const calls = 20;
    const received = collect(store.subscribe({ after: start, signal: stop.signal, filter: { streamPrefixes: [`${cat}-`] } }), (seen) => seen.length >= calls * 3, 60_000);
    const callOf = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 4 }, async (_, w) => {
        for (let k = 0; k < calls / 4; k++) {
          const parts = [`${cat}-w${w}`, `${cat}-shared${k % 2}`].map((stream, i) => ({ stream, events: events(i === 0 ? 2 : 1), expectedRevision: 'any' as const }));
          for (const part of parts) for (const e of part.events) callOf.set(e.id, w * calls + k);
          await store.appendMulti(parts);
        }
      }),
    );
    const { events: seen } = await received;
    const page = await store.readAll({ after: start, filter: { streamPrefixes: [`${cat}-`] } });
    t.same(seen.map((e) => e.id), page.events.map((e) => e.id), 'the subscription and readAll agree');
    t.equal(seen.length, calls * 3);
    let ordered = true;
    for (let i = 1; i < seen.length; i++) if (comparePositions(seen[i - 1]!.position, seen[i]!.position) >= 0) ordered = false;
    t.ok(ordered, 'positions strictly increase');
    // Each call's three events are next to each other: no reader sees half a call.
    let whole = true;
    for (let i = 0; i < seen.length; i += 3) {
      const group = new Set(seen.slice(i, i + 3).map((e) => callOf.get(e.id)));
      const streams = new Set(seen.slice(i, i + 3).map((e) => e.stream));
      if (group.size !== 1 || streams.size !== 2) whole = false;
    }
    t.ok(whole, 'every call arrives as one group of three events from two streams');
  });
}
