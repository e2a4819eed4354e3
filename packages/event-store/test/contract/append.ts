import type { Test } from 'tap';
import {
  computeEventHash,
  GENESIS_HASH,
  isConcurrencyError,
  verifyStreamChain,
  type EventStore,
} from '../../src/index.js';
import { category, events, newEvent, type ContractAdapter } from './helpers.js';

const RECORDED_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function appendContract(t: Test, store: EventStore, adapter: ContractAdapter): void {
  t.test('appending to a new stream numbers events from revision 0', async (t) => {
    const stream = `${category()}-1`;
    const result = await store.append(stream, events(3), { expectedRevision: 'no_stream' });
    const read = await store.readStream(stream);
    t.equal(result.nextRevision, 2);
    t.same(read.map((e) => e.revision), [0, 1, 2]);
    t.equal(result.position, read[2]?.position, 'the result carries the position of the last event');
  });

  t.test('the envelope carries what was given plus what the store adds', async (t) => {
    const stream = `${category()}-1`;
    const given = newEvent({
      id: 'A1B2C3D4-0000-4000-8000-00000000000F',
      type: 'ProjectApproved',
      schemaVersion: 3,
      data: { amountFen: '1234500', tags: ['a', 'b'], nested: { ok: true, none: null } },
      metadata: { actorId: 'u-7', actorRole: 'approver', correlationId: 'req-9', causationId: 'cmd-1', effectiveDate: '2026-03-01', reason: 'board decision' },
    });
    await store.append(stream, [given, newEvent()], { expectedRevision: 'no_stream' });
    const [first, second] = await store.readStream(stream);
    t.equal(first?.id, 'a1b2c3d4-0000-4000-8000-00000000000f', 'ids are stored in lower case');
    t.equal(first?.stream, stream);
    t.equal(first?.type, 'ProjectApproved');
    t.equal(first?.schemaVersion, 3);
    t.same(first?.data, given.data);
    t.match(first?.metadata, { actorId: 'u-7', actorRole: 'approver', correlationId: 'req-9', causationId: 'cmd-1', effectiveDate: '2026-03-01', reason: 'board decision' });
    t.match(first?.metadata.recordedAt, RECORDED_AT);
    t.equal(second?.metadata.causationId, null, 'a missing causation id is null');
    t.notOk('effectiveDate' in (second?.metadata ?? {}), 'absent optional metadata stays absent');
    t.equal(first?.prevHash, GENESIS_HASH);
    t.equal(second?.prevHash, first?.hash);
    t.equal(first && computeEventHash(first), first?.hash, 'the hash recomputes from what is read back');
  });

  t.test('the chain runs across appends and detects a changed event', async (t) => {
    const stream = `${category()}-1`;
    let expectedRevision = (await store.append(stream, events(2), { expectedRevision: 'no_stream' })).nextRevision;
    for (let i = 0; i < 3; i++) {
      expectedRevision = (await store.append(stream, events(2), { expectedRevision })).nextRevision;
    }
    const read = await store.readStream(stream);
    t.match(verifyStreamChain(read), { ok: true, count: 8, lastHash: read[7]?.hash });
    const tampered = read.map((e, i) => (i === 5 ? { ...e, data: { i: 99 } } : e));
    t.match(verifyStreamChain(tampered), { ok: false, index: 5, problem: 'hash-mismatch' });
  });

  t.test('awkward JSON is stored exactly enough to re-hash', async (t) => {
    const stream = `${category()}-1`;
    const data = { s: 'soh\u0001 tab\t quote" back\\ é 😀 \u2028', n: [0.1, 1e21, 5e-324, -0, 123.456e-7], e: {}, a: [[]] };
    await store.append(stream, [newEvent({ data })], { expectedRevision: 'any' });
    const [read] = await store.readStream(stream);
    t.same(read?.data, { ...data, n: [0.1, 1e21, 5e-324, 0, 123.456e-7] });
    t.equal(read && computeEventHash(read), read?.hash);
  });

  t.test('expected revisions behave as in EventStoreDB', async (t) => {
    const stream = `${category()}-1`;
    await t.rejects(store.append(stream, events(1), { expectedRevision: 'stream_exists' }), {
      code: 'CONCURRENCY_CONFLICT',
      extra: { stream, expectedRevision: 'stream_exists', actualRevision: 'no_stream' },
    });
    await t.rejects(store.append(stream, events(1), { expectedRevision: 0 }), {
      code: 'CONCURRENCY_CONFLICT',
      extra: { actualRevision: 'no_stream' },
    });
    await store.append(stream, events(2), { expectedRevision: 'no_stream' });
    await t.rejects(store.append(stream, events(1), { expectedRevision: 'no_stream' }), {
      code: 'CONCURRENCY_CONFLICT',
      extra: { expectedRevision: 'no_stream', actualRevision: 1 },
    });
    const err = await store.append(stream, events(1), { expectedRevision: 0 }).catch((e: unknown) => e);
    t.ok(isConcurrencyError(err), 'a stale revision is a ConcurrencyError');
    t.match(err, { status: 409, extra: { stream, expectedRevision: 0, actualRevision: 1 } });
    t.equal((await store.append(stream, events(1), { expectedRevision: 1n })).nextRevision, 2, 'bigint revisions work');
    t.equal((await store.append(stream, events(1), { expectedRevision: 'stream_exists' })).nextRevision, 3);
    t.equal((await store.append(stream, events(1), { expectedRevision: 'any' })).nextRevision, 4);
    t.equal((await store.append(`${category()}-2`, events(1), { expectedRevision: 'any' })).nextRevision, 0);
  });

  t.test('an empty append only checks the expected revision', async (t) => {
    const stream = `${category()}-1`;
    t.match(await store.append(stream, [], { expectedRevision: 'no_stream' }), { nextRevision: -1 });
    const written = await store.append(stream, events(2), { expectedRevision: 'no_stream' });
    t.same(await store.append(stream, [], { expectedRevision: 1 }), written);
    await t.rejects(store.append(stream, [], { expectedRevision: 0 }), { code: 'CONCURRENCY_CONFLICT' });
  });

  t.test('a retried append returns the first result and writes nothing', async (t) => {
    const stream = `${category()}-1`;
    await store.append(stream, events(1), { expectedRevision: 'no_stream' });
    const batch = events(3);
    const first = await store.append(stream, batch, { expectedRevision: 0 });
    const head = await store.headPosition();
    t.same(await store.append(stream, batch, { expectedRevision: 0 }), first, 'same expected revision');
    t.same(await store.append(stream, batch, { expectedRevision: 'any' }), first, "expected revision 'any'");
    t.same(await store.append(stream, batch, { expectedRevision: 'stream_exists' }), first);
    const single = events(1);
    const one = await store.append(stream, single, { expectedRevision: 'any' });
    t.same(await store.append(stream, single, { expectedRevision: 'any' }), one);
    t.equal((await store.readStream(stream)).length, 5, 'nothing was written twice');
    t.ok((await store.headPosition()) >= head);
  });

  t.test('a retry of a no_stream append is recognised', async (t) => {
    const stream = `${category()}-1`;
    const batch = events(2);
    const first = await store.append(stream, batch, { expectedRevision: 'no_stream' });
    t.same(await store.append(stream, batch, { expectedRevision: 'no_stream' }), first);
  });

  t.test('an event id stored anywhere else is a DUPLICATE_EVENT_ID and the whole append fails', async (t) => {
    const a = `${category()}-1`;
    const b = `${category()}-2`;
    const batch = events(2);
    await store.append(a, batch, { expectedRevision: 'no_stream' });
    const reused = batch[1];
    if (!reused) throw new Error('unreachable');
    await t.rejects(store.append(b, [newEvent(), reused], { expectedRevision: 'any' }), {
      code: 'DUPLICATE_EVENT_ID',
      status: 409,
      extra: { eventIds: [reused.id] },
    });
    await t.rejects(store.readStream(b), { code: 'STREAM_NOT_FOUND' }, 'no event of the failed append was written');
    await t.rejects(store.append(a, [batch[1], batch[0]].filter((e) => e !== undefined), { expectedRevision: 'any' }), {
      code: 'DUPLICATE_EVENT_ID',
    }, 'same stream, other order');
    await t.rejects(store.append(a, [...batch, newEvent()], { expectedRevision: 'no_stream' }), { code: 'DUPLICATE_EVENT_ID' }, 'partial overlap');
    t.equal((await store.readStream(a)).length, 2);
  });

  t.test('bad input is refused before anything is written', async (t) => {
    const stream = `${category()}-1`;
    for (const name of ['', 'Project-1', 'project', 'project-', '1project-a', 'project-a b', 'project-ä', `p-${'a'.repeat(199)}`]) {
      await t.rejects(store.append(name, events(1), { expectedRevision: 'any' }), { code: 'INVALID_STREAM_NAME', status: 400 }, JSON.stringify(name));
    }
    await t.rejects(store.readStream('Not valid'), { code: 'INVALID_STREAM_NAME' });
    const bad = [
      newEvent({ type: 'thingHappened' }),
      newEvent({ type: 'Thing-Happened' }),
      newEvent({ id: 'not-a-uuid' }),
      newEvent({ schemaVersion: 0 }),
      { ...newEvent(), data: [] as unknown as Record<string, unknown> },
      { ...newEvent(), extra: 1 } as ReturnType<typeof newEvent>,
      newEvent({ metadata: { actorId: '', actorRole: 'x', correlationId: 'y' } }),
      newEvent({ data: { n: Number.NaN } }),
      newEvent({ data: { when: new Date() } }),
      newEvent({ data: { big: 1n } }),
    ];
    for (const event of bad) {
      await t.rejects(store.append(stream, [event], { expectedRevision: 'any' }), { code: 'VALIDATION_FAILED', status: 400 });
    }
    const twice = newEvent();
    await t.rejects(store.append(stream, [twice, twice], { expectedRevision: 'any' }), { code: 'VALIDATION_FAILED' });
    await t.rejects(store.append(stream, events(1), { expectedRevision: -1 }), { code: 'VALIDATION_FAILED' });
    const err = await store.append(stream, [newEvent({ data: { deep: { list: [1, Number.POSITIVE_INFINITY] } } })], { expectedRevision: 'any' }).catch((e: unknown) => e);
    t.match(err, { extra: { errors: [{ path: 'events[0].data.deep.list[1]' }] } }, 'the error points at the bad value');
    await t.rejects(store.readStream(stream), { code: 'STREAM_NOT_FOUND' });
  });

  t.test('U+0000 anywhere in an event is refused with the path of the value, other characters are kept', async (t) => {
    const stream = `${category()}-1`;
    const cases: Array<[ReturnType<typeof newEvent>, string]> = [
      [newEvent({ data: { name: 'a\u0000b' } }), 'events[0].data.name'],
      [newEvent({ data: { list: ['ok', { deep: '\u0000' }] } }), 'events[0].data.list[1].deep'],
      [newEvent({ data: { ['k\u0000']: 1 } }), 'events[0].data.k\\u0000'],
      [newEvent({ metadata: { actorId: 'a', actorRole: 'r', correlationId: 'c', reason: 'why\u0000' } }), 'events[0].metadata.reason'],
    ];
    for (const [event, path] of cases) {
      const err = await store.append(stream, [event], { expectedRevision: 'any' }).catch((e: unknown) => e);
      t.match(err, { code: 'VALIDATION_FAILED', status: 400, extra: { errors: [{ path, message: /U\+0000/ }] } }, path);
    }
    await t.rejects(store.readStream(stream), { code: 'STREAM_NOT_FOUND' }, 'nothing was written');
    const kept = { text: 'line\nbreak\ttab \u0001 \\u0000 as text', ['\\u0000']: 'a backslash is not a NUL' };
    await store.append(stream, [newEvent({ data: kept })], { expectedRevision: 'no_stream' });
    t.same((await store.readStream(stream))[0]!.data, kept, 'control characters other than U+0000, and the text "\\u0000", are stored as given');
  });

  t.test('an event over the size limit is EVENT_TOO_LARGE', async (t) => {
    const stream = `${category()}-1`;
    const limit = adapter.maxEventBytes ?? 1024 * 1024;
    await t.rejects(store.append(stream, [newEvent(), newEvent({ data: { blob: 'x'.repeat(limit) } })], { expectedRevision: 'any' }), {
      code: 'EVENT_TOO_LARGE',
      status: 413,
      extra: { index: 1 },
    });
    await t.rejects(store.readStream(stream), { code: 'STREAM_NOT_FOUND' });
    await store.append(stream, [newEvent({ data: { blob: 'x'.repeat(limit - 1000) } })], { expectedRevision: 'any' });
    t.pass('an event just under the limit is accepted');
  });
}
