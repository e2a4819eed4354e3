import t from 'tap';
import fc from 'fast-check';
import { composeHashInput, eventHashParts } from '../src/hash-chain.js';
import type { CanonicalJsonError } from '../src/index.js';
import { canonicalize, computeEventHash, eventHashInput, GENESIS_HASH, verifyStreamChain, type HashedEnvelope } from '../src/index.js';

/** Computed independently: Python json.dumps(sort_keys, no spaces, UTF-8) piped to sha256sum. */
const EXAMPLE_HASH = '5eca670cb11e830653b3620b2b9719717b3bfabd5be5dcedab509de94deb079c';

/** The worked example of the README: an auditor must get these exact bytes and this hash. */
const example: HashedEnvelope = {
  id: '0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e2f',
  stream: 'project-P2026-0001',
  revision: 0,
  type: 'ProjectRegistered',
  schemaVersion: 1,
  data: { title: '高温超导电缆示范工程', budgetFen: '250000000', leadCreditCode: '91110000600037341L' },
  metadata: {
    actorId: 'officer-17',
    actorRole: 'programme-officer',
    correlationId: 'req-7f3a',
    causationId: null,
    recordedAt: '2026-11-22T18:25:30.123456Z',
  },
  prevHash: GENESIS_HASH,
};

t.test('the README worked example', async (t) => {
  t.equal(
    eventHashInput(example),
    '{"data":{"budgetFen":"250000000","leadCreditCode":"91110000600037341L","title":"高温超导电缆示范工程"},' +
      '"id":"0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e2f","metadata":{"actorId":"officer-17","actorRole":"programme-officer",' +
      '"causationId":null,"correlationId":"req-7f3a","recordedAt":"2026-11-22T18:25:30.123456Z"},' +
      '"prevHash":"0000000000000000000000000000000000000000000000000000000000000000","revision":0,' +
      '"schemaVersion":1,"stream":"project-P2026-0001","type":"ProjectRegistered"}',
  );
  t.equal(computeEventHash(example), EXAMPLE_HASH);
});

t.test('hash and position are not hashed', async (t) => {
  t.equal(computeEventHash({ ...example, hash: 'x', position: 'y' } as HashedEnvelope), EXAMPLE_HASH);
});

const json = fc.jsonValue({ maxDepth: 3 }).filter((v) => JSON.stringify(v) !== undefined);
const envelope = fc.record({
  id: fc.uuid(),
  stream: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}-[A-Za-z0-9._:-]{1,10}$/),
  revision: fc.nat(1_000_000),
  type: fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,10}$/),
  schemaVersion: fc.integer({ min: 1, max: 50 }),
  data: fc.dictionary(fc.string(), json),
  metadata: fc.record(
    {
      actorId: fc.string({ minLength: 1 }),
      actorRole: fc.string({ minLength: 1 }),
      correlationId: fc.string({ minLength: 1 }),
      causationId: fc.option(fc.string({ minLength: 1 })),
      effectiveDate: fc.constant('2026-03-01'),
      reason: fc.string(),
    },
    { requiredKeys: ['actorId', 'actorRole', 'correlationId', 'causationId'] },
  ),
  recordedAt: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date('9999-12-31') }).map((d) => `${d.toISOString().slice(0, -1)}123Z`),
  prevHash: fc.stringMatching(/^[0-9a-f]{64}$/),
});

t.test('the split text the database completes equals the canonical text', async (t) => {
  fc.assert(
    fc.property(envelope, ({ recordedAt, ...e }) => {
      const full: HashedEnvelope = { ...e, data: e.data as HashedEnvelope['data'], metadata: { ...e.metadata, recordedAt } };
      const parts = eventHashParts({ id: e.id, stream: e.stream, type: e.type, schemaVersion: e.schemaVersion, data: full.data, metadata: e.metadata });
      return composeHashInput(parts, recordedAt, e.prevHash, e.revision) === eventHashInput(full);
    }),
    { numRuns: 500 },
  );
  t.pass();
});

t.test('verifyStreamChain reports the first bad event', async (t) => {
  const chain: Array<HashedEnvelope & { hash: string }> = [];
  let prevHash = GENESIS_HASH;
  for (let revision = 0; revision < 4; revision++) {
    const e = { ...example, revision, prevHash, data: { revision } };
    const hash = computeEventHash(e);
    chain.push({ ...e, hash });
    prevHash = hash;
  }
  t.match(verifyStreamChain(chain), { ok: true, count: 4, lastHash: chain[3]?.hash });
  t.match(verifyStreamChain([]), { ok: true, count: 0 });
  t.match(verifyStreamChain(chain.slice(2), { previousHash: chain[1]?.hash }), { ok: true, count: 2 });
  t.match(verifyStreamChain(chain.slice(2), { previousHash: GENESIS_HASH }), { ok: false, index: 0, problem: 'prev-hash-mismatch' });

  const edited = chain.map((e, i) => (i === 2 ? { ...e, metadata: { ...e.metadata, actorId: 'someone-else' } } : e));
  t.match(verifyStreamChain(edited), { ok: false, index: 2, problem: 'hash-mismatch', event: { revision: 2 } });
  const rehashed = edited.map((e, i) => (i === 2 ? { ...e, hash: computeEventHash(e) } : e));
  t.match(verifyStreamChain(rehashed), { ok: false, index: 3, problem: 'prev-hash-mismatch' }, 're-hashing one event breaks the next link');
  t.match(verifyStreamChain([chain[0], chain[2]].filter((e) => e !== undefined)), { ok: false, index: 1, problem: 'revision-gap' });
  const [zero, one] = chain;
  if (!zero || !one) throw new Error('unreachable');
  t.match(verifyStreamChain([zero, { ...one, stream: 'project-other' }]), { ok: false, index: 1, problem: 'stream-mismatch' });
});

t.test('the event hash input is the canonical form of the eight hashed members, errors and paths included', async (t) => {
  const generic = (e: Record<string, unknown>): string =>
    canonicalize({ data: e.data, id: e.id, metadata: e.metadata, prevHash: e.prevHash, revision: e.revision, schemaVersion: e.schemaVersion, stream: e.stream, type: e.type });
  const base = {
    id: '9b2f4c2e-0a57-4d0e-9a53-1f7f8b0c1d2e', stream: 'project-p-1', revision: 3, type: 'ObjectionLodged', schemaVersion: 1,
    data: { z: 1, a: [1, 'b', { y: null, x: true }], '\u00e9': 'é', '\ud83d\ude00': '😀', '10': 'ten', '9': 'nine' },
    metadata: { actorId: 'alice', actorRole: 'officer', correlationId: 'c', causationId: null, recordedAt: '2018-07-05T02:00:00.000000Z' },
    prevHash: 'a'.repeat(64), hash: 'ignored', position: 'ignored too',
  };
  const cases: Array<Record<string, unknown>> = [
    base,
    { ...base, revision: -0, schemaVersion: 1e21 },
    { ...base, metadata: undefined }, // left out, as canonicalize leaves out undefined members
    { ...base, data: { ok: 1, bad: Number.NaN } },
    { ...base, data: { deep: [0, { when: new Date(0) }] } },
    { ...base, metadata: { ...base.metadata, actorId: 'lone \ud800' } },
    { ...base, stream: 1n },
    { ...base, data: Object.create({ inherited: 1 }) as object },
  ];
  for (const [i, e] of cases.entries()) {
    let expected: { text?: string; error?: { name: string; path: string } };
    try {
      expected = { text: generic(e) };
    } catch (err) {
      const { name, path } = err as CanonicalJsonError;
      expected = { error: { name, path } };
    }
    if (expected.error) t.throws(() => eventHashInput(e as never), expected.error, `case ${i}: same refusal at ${expected.error.path}`);
    else t.equal(eventHashInput(e as never), expected.text, `case ${i}: same text`);
  }
});
