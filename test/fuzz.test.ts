import t from 'tap';
import { roles } from '@gongguan/platform';
import { allInOne } from '../scripts/all-in-one.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { caller } from './support/api.js';
import { startSystem, testClock, lifecycleService } from './support/system.js';

/** A small deterministic PRNG (mulberry32): the same seed gives the same requests. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

const nasty: unknown[] = [
  null, true, 0, -1, 1.5, -0.0001, 2 ** 53, 2 ** 53 - 1, 1e308, '', ' ', '0', '-1', '1e3', 'NaN', 'Infinity',
  '\u0000', '𠀀泵業🚀', '\u202Eevil', 'a'.repeat(70_000), '2019-02-29', '2018-13-01', '91331000MA2AB12342', [], [null], {}, { $ne: 1 },
  { __proto__: { polluted: true } }, '../../etc/passwd', "'; drop table event_store.events; --",
];

function deep(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

type Operation = { method: string; path: string; example: Record<string, unknown> | undefined };

t.test('fuzzing every route from its OpenAPI schema: no 5xx, nothing appended by a refusal, the process stays up', async (t) => {
  const clock = testClock('2018-07-20T02:00:00Z');
  const services = allInOne.services.filter((s) => process.env.FUZZ_ONLY === undefined || process.env.FUZZ_ONLY.split(',').includes(s.name)).map((s) => (s.name === 'lifecycle-api' ? lifecycleService({ env: clock.env, redriver: false }) : s));
  const system = await startSystem(t, 'pglite', services, { RATE_LIMIT_COMMANDS_PER_MINUTE: '0', RATE_LIMIT_READS_PER_MINUTE: '0', GONGGUAN_ENV: 'test' });
  const call = caller(system.url);
  const people = await cast(system);
  await launchProgramme(call, people, 'tz-f');
  await proposalInPublicity(call, people, 'tz-f', 'p-f', CODES.lead, clock.set);
  const everyone = await system.token([...roles], 'fuzzer');

  const doc = (await call('GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { example?: Record<string, unknown> } }> } }>> };
  const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, example: op.requestBody?.content['application/json']?.schema.example })),
  );
  t.ok(operations.length >= 60, `${operations.length} operations in /openapi.json`);
  const random = prng(20181010);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const fillPath = (path: string) =>
    path.replace(/\{([A-Za-z]+)\}/g, (_m, name: string) =>
      pick([name === 'projectId' ? 'p-f' : name === 'programmeId' ? 'tz-f' : 'x1', encodeURIComponent(String(pick(nasty))).slice(0, 300), '%2e%2e', '9'.repeat(40)]),
    );
  const mutate = (example: Record<string, unknown> | undefined): { raw?: string; body?: unknown } => {
    const base: Record<string, unknown> = structuredClone(example ?? {});
    const keys = Object.keys(base);
    switch (Math.floor(random() * 7)) {
      case 0:
        if (keys.length) base[pick(keys)] = pick(nasty);
        return { body: base };
      case 1:
        if (keys.length) delete base[pick(keys)];
        return { body: base };
      case 2:
        base[`extra${Math.floor(random() * 100)}`] = pick(nasty);
        return { body: base };
      case 3:
        return { body: pick(nasty) };
      case 4:
        return { raw: JSON.stringify(deep(1 + Math.floor(random() * 3000))) };
      case 5:
        if (keys.length) base[pick(keys)] = deep(50);
        return { body: base };
      default:
        return { raw: JSON.stringify(base).slice(0, Math.floor(random() * JSON.stringify(base).length)) };
    }
  };
  const headerVariants = (): Record<string, string> => {
    switch (Math.floor(random() * 5)) {
      case 0:
        // Header values can only carry Latin-1; anything else is refused by the client before it is sent.
        return { 'idempotency-key': String(pick(nasty)).replace(/[^\x20-\xff]/g, '?').slice(0, 300) || 'k' };
      case 1:
        return { 'if-match': pick(['"abc"', '*', '"-5"', 'W/"1"', '"99999999999999999999"']) };
      case 2:
        return { 'content-type': pick(['text/plain', 'application/json; charset=latin1', 'application/xml', 'application/json, text/plain']) };
      case 3:
        return { 'x-request-id': pick(['', 'a'.repeat(500), '\u00e9t\u00e9', 'ok-1']) };
      default:
        return {};
    }
  };

  let requests = 0;
  const failures: string[] = [];
  for (let round = 0; round < 12; round++) {
    for (const op of operations) {
      if (op.path === '/v1/audit/tree-heads' && op.method === 'POST') continue;
      const path = fillPath(op.path);
      const before = await system.store.headPosition();
      const headers = headerVariants();
      const payload = op.method === 'GET' ? {} : mutate(op.example);
      let res;
      try {
        res = await call(op.method, `${path}${op.method === 'GET' ? `?minPosition=${encodeURIComponent(String(pick(nasty)))}&limit=${pick(['-1', '0', '1e9', 'x'])}` : ''}`, {
          token: everyone,
          headers,
          ...payload,
        });
      } catch (err) {
        failures.push(`${op.method} ${path}: request failed: ${String(err)}`);
        continue;
      }
      requests++;
      if (res.status >= 500) failures.push(`${op.method} ${path} → ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      if (res.status >= 400 && (await system.store.headPosition()) !== before) failures.push(`${op.method} ${path} → ${res.status} but events were appended`);
    }
  }
  t.same(failures, [], `${requests} fuzzed requests: no 5xx and nothing appended by a refusal`);
  const health = await call('GET', '/healthz');
  t.equal(health.status, 200, 'the process is still up');
});
