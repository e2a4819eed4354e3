import { Writable } from 'node:stream';
import fc from 'fast-check';
import { pino } from 'pino';
import t from 'tap';
import { createLogger, redactPaths } from '../src/logger.js';

/**
 * The logger censors `redactPaths` itself (pino's `redact` option parses every path again for
 * every value of every line). What must hold: every line it writes is the line pino's own
 * redaction writes for the same object and bindings; the caller's objects are never changed.
 */
function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, stream };
}

/** pino with its own redaction of the same paths (the reference). */
function reference(stream: Writable) {
  return pino({ level: 'info', redact: { paths: redactPaths, censor: '[redacted]' }, base: { service: 'gongguan' }, timestamp: false, formatters: { level: (label) => ({ level: label }) } }, stream);
}

const withoutTime = (line: string) => {
  const { time: _time, ...rest } = JSON.parse(line) as Record<string, unknown>;
  return rest;
};

// Keys a line may carry: the censored members, the keys with member paths, and others.
const memberKeys = ['token', 'accessToken', 'password', 'secret', 'privateKey', 'd', 'phone', 'email', 'idNumber', 'bankAccount', 'name', 'code', 'amountFen'];
const topKeys = ['req', 'res', 'headers', 'config', 'project', 'payload', 'bureau', ...memberKeys];
const leaf = fc.oneof(fc.string({ maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null));
const member = fc.constantFrom(...memberKeys, 'headers', 'authorization', 'cookie', 'x-api-key', 'set-cookie', 'DATABASE_URL');
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(member, tie('node'), { maxKeys: 4, noNullPrototype: true })),
})).node;
const line = fc.dictionary(fc.constantFrom(...topKeys), value, { maxKeys: 5, noNullPrototype: true });

t.test('every line equals the line of pino with its own redaction, on random objects and bindings', async (t) => {
  await fc.assert(
    fc.property(line, line, (obj, bindings) => {
      const ours = capture();
      const theirs = capture();
      const before = JSON.stringify([obj, bindings]);
      const a = createLogger({ destination: ours.stream as unknown as pino.DestinationStream });
      const b = reference(theirs.stream);
      a.info(obj, 'line');
      b.info(obj, 'line');
      a.child(bindings).warn(obj, 'child line');
      b.child(bindings).warn(obj, 'child line');
      a.child({ reqId: 'r-1' }).child(bindings).info('grandchild');
      b.child({ reqId: 'r-1' }).child(bindings).info('grandchild');
      t.same(ours.lines.map(withoutTime), theirs.lines.map(withoutTime));
      return JSON.stringify([obj, bindings]) === before;
    }),
    { numRuns: 500 },
  );
});

t.test('each path is censored, and an error logged under err too', async (t) => {
  const out = capture();
  const log = createLogger({ destination: out.stream as unknown as pino.DestinationStream });
  const req = { method: 'GET', headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=1', 'x-api-key': 'k', accept: 'json' } };
  log.info({ req, res: { headers: { 'set-cookie': 'sid=2' } }, config: { DATABASE_URL: 'postgres://u:p@h/db', PORT: 1 }, person: { phone: '13800000000', name: '张三' } }, 'x');
  const err = Object.assign(new Error('refused'), { bankAccount: '6222000000000000' });
  log.error({ err }, 'failed');
  const [first, second] = out.lines.map((l) => JSON.parse(l));
  t.match(first, {
    req: { method: 'GET', headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]', accept: 'json' } },
    res: { headers: { 'set-cookie': '[redacted]' } },
    config: { DATABASE_URL: '[redacted]', PORT: 1 },
    person: { phone: '[redacted]', name: '张三' },
  });
  t.equal(req.headers.authorization, 'Bearer abc.def.ghi', "the caller's object is unchanged");
  t.match(second, { err: { message: 'refused', bankAccount: '[redacted]' } });
  t.equal(err.bankAccount, '6222000000000000');
});
