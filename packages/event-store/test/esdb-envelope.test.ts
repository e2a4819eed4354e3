import { randomUUID } from 'node:crypto';
import t from 'tap';
import { computeEventHash, GENESIS_HASH, isJsonObject, verifyStreamChain, type RecordedEvent } from '../src/index.js';
import { chainEvents, draftEvents, envelopeOf, type ChainedEnvelope } from '../src/esdb/chain.js';
import { fromEsdbEvent, toEsdbEventData, type EsdbRecord } from '../src/esdb/envelope.js';
import { settleRefusal, type StoredId } from '../src/esdb/idempotency.js';
import { comparePresent, planImport, runsByStream } from '../src/esdb/import-plan.js';
import { fromEsdbPosition } from '../src/esdb/positions.js';
import { newEvent } from './contract/helpers.js';

const RECORDED_AT = '2026-11-22T18:25:30.123456Z';

/** What the client hands back for an event written from `data`: JSON through the wire, as ESDB stores bytes. */
function asStored(envelope: ChainedEnvelope, commit: bigint): EsdbRecord {
  const data = toEsdbEventData(envelope);
  if (data.contentType !== 'application/json') throw new Error('expected JSON');
  return {
    streamId: envelope.stream,
    id: data.id.toUpperCase(),
    revision: BigInt(envelope.revision),
    type: data.type,
    isJson: true,
    data: JSON.parse(JSON.stringify(data.data)) as unknown,
    metadata: JSON.parse(JSON.stringify(data.metadata)) as unknown,
    position: { commit, prepare: commit },
  };
}

t.test('the README worked example hashes the same through the ESDB mapping', async (t) => {
  const [draft] = draftEvents('project-P2026-0001', [{
    id: '0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e2f',
    type: 'ProjectRegistered',
    schemaVersion: 1,
    data: { budgetFen: '250000000', leadCreditCode: '91110000600037341L', title: '高温超导电缆示范工程' },
    metadata: { actorId: 'officer-17', actorRole: 'programme-officer', correlationId: 'req-7f3a' },
  }], 1024 * 1024);
  const [envelope] = chainEvents('project-P2026-0001', undefined, draft ? [draft] : [], RECORDED_AT);
  t.equal(envelope?.hash, '5eca670cb11e830653b3620b2b9719717b3bfabd5be5dcedab509de94deb079c');
  t.equal(envelope?.prevHash, GENESIS_HASH);
});

t.test('a batch chains onto the stream head and verifies', async (t) => {
  const stream = 'project-1';
  const first = chainEvents(stream, undefined, draftEvents(stream, [newEvent(), newEvent()], 1 << 20), RECORDED_AT);
  const last = first[1];
  const next = chainEvents(stream, last, draftEvents(stream, [newEvent({ metadata: { actorId: 'a', actorRole: 'r', correlationId: 'c', causationId: 'x', reason: 'why' } })], 1 << 20), RECORDED_AT);
  t.same(next.map((e) => e.revision), [2]);
  t.equal(next[0]?.prevHash, last?.hash);
  t.match(verifyStreamChain([...first, ...next]), { ok: true, count: 3 });
  t.equal(next[0]?.metadata.causationId, 'x');
  t.equal(first[0]?.metadata.causationId, null, 'a missing causation id is null, as in SQL');
  t.notOk('reason' in (first[0]?.metadata ?? {}), 'absent optional metadata stays absent');
});

t.test('drafting refuses what the SQL adapter refuses, with the same paths and limits', async (t) => {
  t.throws(() => draftEvents('a-1', [newEvent({ data: { deep: [1, Number.NaN] } })], 1 << 20), {
    code: 'VALIDATION_FAILED',
    extra: { errors: [{ path: 'events[0].data.deep[1]' }] },
  });
  t.throws(() => draftEvents('a-1', [newEvent(), newEvent({ data: { blob: 'x'.repeat(2000) } })], 1000), { code: 'EVENT_TOO_LARGE', extra: { index: 1 } });
});

t.test('an envelope survives the trip through ESDB metadata and re-hashes', async (t) => {
  const stream = 'project-2';
  const data = { s: 'soh\u0001 tab\t quote" é 😀 \u2028', n: [0.1, 1e21, 5e-324, -0], e: {}, a: [[]] };
  const drafts = draftEvents(stream, [newEvent({ data, schemaVersion: 3, metadata: { actorId: 'u', actorRole: 'r', correlationId: 'c', causationId: 'k', effectiveDate: '2026-03-01' } })], 1 << 20);
  const [envelope] = chainEvents(stream, undefined, drafts, RECORDED_AT);
  if (!envelope) throw new Error('unreachable');
  const stored = asStored(envelope, 4242n);
  t.match(stored.metadata, { $correlationId: 'c', $causationId: 'k', schemaVersion: 3, prevHash: GENESIS_HASH, hash: envelope.hash, recordedAt: RECORDED_AT });
  const read = fromEsdbEvent(stored);
  t.same(read, { ...envelope, data: { ...data, n: [0.1, 1e21, 5e-324, 0] }, position: fromEsdbPosition({ commit: 4242n, prepare: 4242n }) });
  t.equal(read.id, envelope.id, 'ids are lower case again');
  t.equal(computeEventHash(read), read.hash, 'the hash recomputes from what is read back');
  t.notOk('$correlationId' in read.metadata, 'ESDB conventions stay out of the envelope');
});

t.test('records that are not Gongguan envelopes are refused, not passed on', async (t) => {
  const [envelope] = chainEvents('project-3', undefined, draftEvents('project-3', [newEvent()], 1 << 20), RECORDED_AT);
  if (!envelope) throw new Error('unreachable');
  const good = asStored(envelope, 1n);
  t.throws(() => fromEsdbEvent({ ...good, metadata: undefined }), { name: 'ForeignEventError' });
  t.throws(() => fromEsdbEvent({ ...good, isJson: false }), { name: 'ForeignEventError' });
  t.throws(() => fromEsdbEvent({ ...good, metadata: { ...(good.metadata as object), hash: 'nope' } }), /metadata: hash/);
  t.throws(() => fromEsdbEvent({ ...good, position: undefined }), /22\.6/);
});

t.test('a refused append settles as in SQL: first result, duplicate, or conflict', async (t) => {
  const pos = fromEsdbPosition({ commit: 10n, prepare: 10n });
  const at = (stream: string, revision: number): StoredId => ({ stream, revision, position: pos });
  const ids = ['a', 'b'];
  t.same(settleRefusal('s-1', ids, 0, new Map([['a', at('s-1', 1)], ['b', at('s-1', 2)]]), 2), { nextRevision: 2, position: pos }, 'a retry at the same expected revision');
  t.same(settleRefusal('s-1', ids, 'any', new Map([['a', at('s-1', 1)], ['b', at('s-1', 2)]]), 5), { nextRevision: 2, position: pos }, "'any': consecutive from the first");
  t.same(settleRefusal('s-1', ids, 'no_stream', new Map([['a', at('s-1', 0)], ['b', at('s-1', 1)]]), 1), { nextRevision: 1, position: pos });
  t.throws(() => settleRefusal('s-1', ids, 'any', new Map([['a', at('s-1', 2)], ['b', at('s-1', 1)]]), 2), { code: 'DUPLICATE_EVENT_ID' }, 'other order');
  t.throws(() => settleRefusal('s-1', ids, 'no_stream', new Map([['a', at('s-1', 0)]]), 1), { code: 'DUPLICATE_EVENT_ID', extra: { eventIds: ['a'] } }, 'partial overlap');
  t.throws(() => settleRefusal('s-1', ids, 0, new Map([['a', at('s-2', 1)], ['b', at('s-2', 2)]]), 0), { code: 'DUPLICATE_EVENT_ID' }, 'another stream');
  t.throws(() => settleRefusal('s-1', ids, 0, new Map(), 3), { code: 'CONCURRENCY_CONFLICT', extra: { actualRevision: 3 } });
  t.throws(() => settleRefusal('s-1', [], 0, new Map(), undefined), { code: 'CONCURRENCY_CONFLICT', extra: { actualRevision: 'no_stream' } });
});

function history(stream: string, n: number, commit = 100n): RecordedEvent[] {
  return chainEvents(stream, undefined, draftEvents(stream, Array.from({ length: n }, () => newEvent({ id: randomUUID() })), 1 << 20), RECORDED_AT).map(
    (e, i) => ({ ...e, data: isJsonObject(e.data) ? e.data : {}, position: fromEsdbPosition({ commit: commit + BigInt(i), prepare: 0n }) }),
  );
}

t.test('an import keeps order in runs per stream and checks the chain against the target', async (t) => {
  const a = history('a-1', 4);
  const b = history('b-1', 2);
  const mixed = [a[0], a[1], b[0], a[2], b[1], a[3]].filter((e): e is RecordedEvent => e !== undefined);
  t.same(runsByStream(mixed).map((run) => run.map((e) => `${e.stream}@${e.revision}`)), [['a-1@0', 'a-1@1'], ['b-1@0'], ['a-1@2'], ['b-1@1'], ['a-1@3']]);
  t.same(planImport(a, undefined), { present: [], missing: a }, 'a new stream');
  const resumed = planImport(a, { revision: 1, hash: a[1]?.hash ?? '' });
  t.same(resumed.present.map((e) => e.revision), [0, 1]);
  t.same(resumed.missing.map((e) => e.revision), [2, 3]);
  t.throws(() => planImport(a.slice(2), undefined), { name: 'ImportError', message: /ends at revision -1/ }, 'a gap');
  t.throws(() => planImport(a.slice(2), { revision: 1, hash: 'f'.repeat(64) }), /does not chain/);
  const tampered = a.map((e, i) => (i === 2 ? { ...e, data: { changed: true } } : e));
  t.throws(() => planImport(tampered, undefined), /hash-mismatch/);
  t.doesNotThrow(() => comparePresent(resumed.present, new Map(a.map((e) => [e.revision, e]))));
  t.throws(() => comparePresent(resumed.present, new Map([[0, { id: randomUUID(), hash: a[0]?.hash ?? '' }]])), /different event/);
  const { position: _position, ...expected } = a[0] as RecordedEvent;
  t.same(envelopeOf(a[0] as RecordedEvent), expected, 'an import writes the envelope as is, without the source position');
});
