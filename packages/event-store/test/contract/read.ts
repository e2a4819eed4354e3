import type { Test } from 'tap';
import { comparePositions, parsePosition, START_POSITION, type EventStore, type RecordedEvent } from '../../src/index.js';
import { category, events, sleep, type ContractAdapter } from './helpers.js';

function increasing(list: readonly RecordedEvent[]): boolean {
  return list.every((e, i) => i === 0 || comparePositions(list[i - 1]?.position ?? START_POSITION, e.position) < 0);
}

export function readContract(t: Test, store: EventStore, _adapter: ContractAdapter): void {
  t.test('reading a stream that has no events is STREAM_NOT_FOUND', async (t) => {
    await t.rejects(store.readStream(`${category()}-none`), { code: 'STREAM_NOT_FOUND', status: 404 });
  });

  t.test('a stream reads by revision range, backwards and with a limit', async (t) => {
    const stream = `${category()}-1`;
    await store.append(stream, events(6), { expectedRevision: 'no_stream' });
    const revisions = (list: RecordedEvent[]): number[] => list.map((e) => e.revision);
    t.same(revisions(await store.readStream(stream, { fromRevision: 2 })), [2, 3, 4, 5]);
    t.same(revisions(await store.readStream(stream, { toRevision: 2 })), [0, 1, 2], 'as of revision 2');
    t.same(revisions(await store.readStream(stream, { fromRevision: 1, toRevision: 3n })), [1, 2, 3]);
    t.same(revisions(await store.readStream(stream, { direction: 'backwards', limit: 2 })), [5, 4]);
    t.same(revisions(await store.readStream(stream, { direction: 'backwards', toRevision: 3, limit: 2 })), [3, 2]);
    t.same(revisions(await store.readStream(stream, { limit: 1 })), [0]);
    t.same(await store.readStream(stream, { fromRevision: 10 }), [], 'an existing stream read past its end is empty');
    t.same(await store.readStream(stream, { fromRevision: 6 }), [], 'and read from just past its end');
    t.same(revisions(await store.readStream(stream, { fromRevision: 5 })), [5], 'from its last event');
    t.same(revisions(await store.readStream(stream, { fromRevision: 3, limit: 2 })), [3, 4], 'from a revision, with a limit');
    t.same(revisions(await store.readStream(stream, { fromRevision: 5, limit: 1 })), [5]);
    t.same(revisions(await store.readStream(stream, { fromRevision: 1, toRevision: 1 })), [1]);
    t.same(await store.readStream(stream, { fromRevision: 4, toRevision: 3 }), [], 'an empty range');
    await t.rejects(store.readStream(`${category()}-none`, { fromRevision: 3 }), { code: 'STREAM_NOT_FOUND' }, 'a stream with no events, read from a later revision');
  });

  t.test('a stream reads as of a recorded time', async (t) => {
    const stream = `${category()}-1`;
    await store.append(stream, events(2), { expectedRevision: 'no_stream' });
    await sleep(5);
    await store.append(stream, events(2), { expectedRevision: 1 });
    await sleep(5);
    await store.append(stream, events(1), { expectedRevision: 3 });
    const all = await store.readStream(stream);
    const cut = all[3]?.metadata.recordedAt ?? '';
    t.ok(all.every((e, i) => i === 0 || (all[i - 1]?.metadata.recordedAt ?? '') <= e.metadata.recordedAt), 'recordedAt never decreases');
    t.same((await store.readStream(stream, { untilRecordedAt: cut })).map((e) => e.revision), [0, 1, 2, 3]);
    t.same((await store.readStream(stream, { untilRecordedAt: new Date(Date.parse(cut) - 1) })).map((e) => e.revision), [0, 1]);
    t.same(await store.readStream(stream, { untilRecordedAt: '2000-01-01T00:00:00Z' }), []);
    await t.rejects(store.readStream(stream, { untilRecordedAt: 'yesterday' }), { code: 'VALIDATION_FAILED' });
  });

  t.test('readAll pages through the global log in position order', async (t) => {
    const start = await store.headPosition();
    const cat = category();
    const a = await store.append(`${cat}-a`, events(3), { expectedRevision: 'no_stream' });
    const b = await store.append(`${cat}-b`, events(2), { expectedRevision: 'no_stream' });
    t.ok(comparePositions(a.position, b.position) < 0, 'a later append has a later position');
    t.equal(await store.headPosition(), b.position, 'the head is the last append');
    t.equal(await store.lastPosition(), b.position, 'so is the last written position, when nothing is in flight');
    const page1 = await store.readAll({ after: start, limit: 4 });
    t.same(page1.events.map((e) => `${e.stream}@${e.revision}`), [`${cat}-a@0`, `${cat}-a@1`, `${cat}-a@2`, `${cat}-b@0`]);
    t.equal(page1.caughtUp, false);
    t.equal(page1.position, page1.events[3]?.position);
    const page2 = await store.readAll({ after: page1.position, limit: 4 });
    t.same(page2.events.map((e) => `${e.stream}@${e.revision}`), [`${cat}-b@1`]);
    t.equal(page2.caughtUp, true);
    t.equal(page2.position, b.position);
    const page3 = await store.readAll({ after: page2.position });
    t.same(page3, { events: [], position: b.position, caughtUp: true });
    t.ok(increasing([...page1.events, ...page2.events]));
  });

  t.test('readAll filters by stream prefix and by event type', async (t) => {
    const start = await store.headPosition();
    const cat = category();
    const other = category();
    await store.append(`${cat}-1`, [...events(1, 'Opened'), ...events(1, 'Closed')], { expectedRevision: 'any' });
    await store.append(`${other}-1`, events(2, 'Opened'), { expectedRevision: 'any' });
    const last = await store.append(`${cat}-2`, events(1, 'Opened'), { expectedRevision: 'any' });
    const byPrefix = await store.readAll({ after: start, filter: { streamPrefixes: [`${cat}-`] } });
    t.same(byPrefix.events.map((e) => e.stream), [`${cat}-1`, `${cat}-1`, `${cat}-2`]);
    const byBoth = await store.readAll({ after: start, filter: { streamPrefixes: [`${cat}-`, `${other}-`], eventTypes: ['Closed'] } });
    t.same(byBoth.events.map((e) => e.type), ['Closed']);
    t.equal(byBoth.position, last.position, 'a filtered read moves past what it skipped');
    const none = await store.readAll({ after: start, filter: { streamPrefixes: [`${cat}_`] } });
    t.same(none.events, [], 'prefixes are literal, not patterns');
    await t.rejects(store.readAll({ filter: { eventTypes: [] } }), { code: 'VALIDATION_FAILED' });
  });

  t.test('positions are opaque strings that round-trip through text', async (t) => {
    const { position } = await store.append(`${category()}-1`, events(1), { expectedRevision: 'any' });
    t.equal(parsePosition(String(position)), position);
    t.ok(START_POSITION < position);
    t.throws(() => parsePosition('12-34'), { code: 'VALIDATION_FAILED' });
    await t.rejects(store.readAll({ limit: 0 }), { code: 'VALIDATION_FAILED' });
  });
}
