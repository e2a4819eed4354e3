import {
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  UnavailableError,
  AccessDeniedError,
  WrongExpectedVersionError,
} from '@eventstore/db-client';
import fc from 'fast-check';
import t from 'tap';
import { isConcurrencyError, START_POSITION } from '../src/index.js';
import { isTransient, toPortError } from '../src/esdb/errors.js';
import { checkFilter, isPortStream, matchesFilter, subscriptionFilter } from '../src/esdb/filters.js';
import { fromEsdbPosition, toEsdbPosition } from '../src/esdb/positions.js';
import { formatRecordedAt, instantMicros, nextRecordedAt } from '../src/esdb/recorded-at.js';
import { expectationFails, fromEsdbRevision, toEsdbExpectedRevision } from '../src/esdb/revisions.js';

t.test('expected revisions map to the client words, exact revisions to bigints', async (t) => {
  t.equal(toEsdbExpectedRevision('no_stream'), 'no_stream');
  t.equal(toEsdbExpectedRevision('any'), 'any');
  t.equal(toEsdbExpectedRevision('stream_exists'), 'stream_exists');
  t.equal(toEsdbExpectedRevision(0), 0n);
  t.equal(toEsdbExpectedRevision(41), 41n);
  t.equal(fromEsdbRevision('no_stream'), undefined);
  t.equal(fromEsdbRevision(-1n), undefined, 'ESDB says -1 for no stream in some replies');
  t.equal(fromEsdbRevision(7n), 7);
});

t.test('an expectation is checked against the actual revision as ESDB would', async (t) => {
  const cases: Array<[Parameters<typeof expectationFails>[0], number | undefined, boolean]> = [
    ['any', undefined, false],
    ['any', 3, false],
    ['no_stream', undefined, false],
    ['no_stream', 0, true],
    ['stream_exists', undefined, true],
    ['stream_exists', 0, false],
    [2, 2, false],
    [2, 3, true],
    [0, undefined, true],
  ];
  for (const [expected, actual, fails] of cases) t.equal(expectationFails(expected, actual), fails, `${String(expected)} vs ${String(actual)}`);
});

t.test('WrongExpectedVersionError becomes a ConcurrencyError with the actual revision', async (t) => {
  const err = toPortError(new WrongExpectedVersionError(undefined, { streamName: 'project-1', expected: 2n, current: 5n }), {
    stream: 'project-1',
    expected: 2,
  });
  t.ok(isConcurrencyError(err));
  t.match(err, { code: 'CONCURRENCY_CONFLICT', status: 409, extra: { stream: 'project-1', expectedRevision: 2, actualRevision: 5 } });
  const none = toPortError(new WrongExpectedVersionError(undefined, { streamName: 'project-2', expected: 'stream_exists', current: 'no_stream' }), {});
  t.match(none, { code: 'CONCURRENCY_CONFLICT', extra: { stream: 'project-2', expectedRevision: 'stream_exists', actualRevision: 'no_stream' } }, 'without context it uses what the error says');
});

t.test('other client errors map to the port catalogue', async (t) => {
  t.match(toPortError(new StreamNotFoundError(undefined, 'project-9'), { stream: 'project-9' }), { code: 'STREAM_NOT_FOUND', status: 404, extra: { stream: 'project-9' } });
  t.match(toPortError(StreamDeletedError.fromStreamName('project-9'), { stream: 'project-9' }), { code: 'STREAM_NOT_FOUND' });
  t.match(toPortError(MaxAppendSizeExceededError.fromMaxAppendSize(1048576), { stream: 'a-1' }), { code: 'EVENT_TOO_LARGE', status: 413, extra: { limit: 1048576 } });
  t.match(toPortError(new UnavailableError(), {}), { code: 'STORAGE_UNAVAILABLE', status: 503 });
  t.match(toPortError(new AccessDeniedError(), {}), { code: 'STORAGE_UNAVAILABLE' });
  const other = new Error('boom');
  t.equal(toPortError(other, {}), other, 'anything else passes through');
});

t.test('transient errors are the ones a subscription reconnects after', async (t) => {
  t.ok(isTransient(new UnavailableError()));
  t.ok(isTransient(toPortError(new UnavailableError(), {})), 'also once mapped to STORAGE_UNAVAILABLE');
  t.ok(isTransient(Object.assign(new Error('x'), { code: 14 })), 'a raw gRPC UNAVAILABLE');
  t.notOk(isTransient(new AccessDeniedError()));
  t.notOk(isTransient(toPortError(new AccessDeniedError(), {})));
  t.notOk(isTransient(new Error('bug')));
});

t.test('positions are zero-padded hex of commit then prepare', async (t) => {
  t.equal(fromEsdbPosition({ commit: 0x1234n, prepare: 0x1200n }), '0000000000001234-0000000000001200');
  t.equal(fromEsdbPosition({ commit: (1n << 63n) - 1n, prepare: 0n }), '7fffffffffffffff-0000000000000000');
  t.same(toEsdbPosition(fromEsdbPosition({ commit: 99n, prepare: 98n })), { commit: 99n, prepare: 98n });
  t.equal(toEsdbPosition(START_POSITION), 'start');
  t.match(fromEsdbPosition({ commit: 5n, prepare: 5n }), /^[0-9a-f]{16}-[0-9a-f]{16}$/, 'the same shape as SQL positions');
});

t.test('string order of positions is ESDB order (commit, then prepare)', async (t) => {
  const part = fc.bigInt({ min: 0n, max: (1n << 63n) - 1n });
  fc.assert(
    fc.property(part, part, part, part, (c1, p1, c2, p2) => {
      const a = fromEsdbPosition({ commit: c1, prepare: p1 });
      const b = fromEsdbPosition({ commit: c2, prepare: p2 });
      const tuple = c1 < c2 || (c1 === c2 && p1 < p2) ? -1 : c1 === c2 && p1 === p2 ? 0 : 1;
      return (a < b ? -1 : a === b ? 0 : 1) === tuple;
    }),
  );
  t.pass();
});

t.test('recordedAt has six fraction digits and never goes backwards along a stream', async (t) => {
  const ms = Date.parse('2026-11-22T18:25:30.123Z');
  t.equal(formatRecordedAt(ms * 1000 + 456), '2026-11-22T18:25:30.123456Z');
  t.equal(nextRecordedAt(ms, undefined), '2026-11-22T18:25:30.123000Z');
  t.equal(nextRecordedAt(ms, '2026-11-22T18:25:31.000001Z'), '2026-11-22T18:25:31.000001Z', 'a later previous one is kept');
  t.equal(nextRecordedAt(ms, '2026-11-22T18:25:29.999999Z'), '2026-11-22T18:25:30.123000Z');
  t.equal(instantMicros('2026-11-22T18:25:30.123456Z'), ms * 1000 + 456);
  t.equal(instantMicros('2026-11-22T18:25:30.1234567Z'), ms * 1000 + 456, 'digits past the sixth are dropped');
  t.equal(instantMicros('2026-11-22T20:25:30.123+02:00'), ms * 1000, 'offsets are honoured');
  t.equal(instantMicros('2026-11-22T18:25:30Z'), (ms - 123) * 1000);
  fc.assert(fc.property(fc.integer({ min: 0, max: 4102444800000 * 1000 }), (micros) => instantMicros(formatRecordedAt(micros)) === micros));
});

t.test('only port streams are visible: system streams and id claims are not', async (t) => {
  t.ok(isPortStream('project-P2026-0001'));
  t.notOk(isPortStream('$stats-127.0.0.1:2113'));
  t.notOk(isPortStream('$$project-1'));
  t.notOk(isPortStream('_eventid-0b9f2c4e-3d1a-4c5b-9e8f-7a6b5c4d3e2f'));
  t.notOk(isPortStream(`p-${'a'.repeat(199)}`));
});

t.test('filters: validated, matched literally, and sent to the server as one ESDB filter', async (t) => {
  const f = checkFilter({ streamPrefixes: ['project-'], eventTypes: ['ProjectApproved'] });
  t.ok(matchesFilter({ stream: 'project-1', type: 'ProjectApproved' }, f));
  t.notOk(matchesFilter({ stream: 'project-1', type: 'ProjectRegistered' }, f));
  t.notOk(matchesFilter({ stream: 'programme-1', type: 'ProjectApproved' }, f));
  t.ok(matchesFilter({ stream: 'x-1', type: 'A' }, checkFilter(undefined)));
  t.throws(() => checkFilter({ eventTypes: [] }), { code: 'VALIDATION_FAILED' });
  t.throws(() => checkFilter({ streamPrefixes: [''] }), { code: 'VALIDATION_FAILED' });
  t.match(subscriptionFilter(f), { filterOn: 'streamName', prefixes: ['project-'] }, 'prefixes win: types are matched on the client');
  t.match(subscriptionFilter(checkFilter({ eventTypes: ['A', 'B.c'] })), { filterOn: 'eventType', regex: '^(?:A|B\\.c)$' });
  const everything = subscriptionFilter({});
  t.match(everything, { filterOn: 'streamName', regex: '^[a-z]' });
  const regex = new RegExp('regex' in everything ? everything.regex : '');
  t.ok(regex.test('project-1') && !regex.test('$stats-x') && !regex.test('_eventid-x'), 'the default keeps system streams and claims out');
});
