import fc from 'fast-check';
import t from 'tap';
import { roles } from '@gongguan/platform';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { caller } from './support/api.js';
import { lifecycleService, startSystem, testClock } from './support/system.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Operation = { path: string; example: Record<string, Json> };

/** Every path to a string inside a JSON value, as keys and indexes. */
function stringPaths(value: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  if (typeof value === 'string') return [at];
  if (Array.isArray(value)) return value.flatMap((v, i) => stringPaths(v, [...at, i]));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => stringPaths(v, [...at, k]));
  return [];
}

function withValue(value: Json, path: ReadonlyArray<string | number>, replacement: string): Json {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? withValue(v, rest, replacement) : v));
  const record = value as Record<string, Json>;
  return { ...record, [head!]: withValue(record[head!]!, rest, replacement) };
}

/** A character no text field accepts: C0 but line breaks and tab, DEL, C1, or a lone surrogate. */
const forbidden = fc.oneof(
  fc.integer({ min: 0x00, max: 0x1f }).filter((c) => c !== 0x09 && c !== 0x0a && c !== 0x0d),
  fc.integer({ min: 0x7f, max: 0x9f }),
  fc.integer({ min: 0xd800, max: 0xdfff }),
).map((c) => String.fromCharCode(c));

t.test('a control character in any string field of any command body is refused 400 and appends nothing', async (t) => {
  const clock = testClock('2018-07-20T02:00:00Z');
  const system = await startSystem(t, 'pglite', [lifecycleService({ env: clock.env, redriver: false })], { RATE_LIMIT_COMMANDS_PER_MINUTE: '0' });
  const call = caller(system.url);
  const people = await cast(system);
  await launchProgramme(call, people, 'tz-t');
  await proposalInPublicity(call, people, 'tz-t', 'p-t', CODES.lead, clock.set);
  const everyone = await system.token([...roles], 'tester');

  const doc = (await call('GET', '/openapi.json')).body as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { example?: Record<string, Json> } }> } }>>;
  };
  const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ops]) => {
    const example = ops.post?.requestBody?.content['application/json']?.schema.example;
    return path.startsWith('/v1/') && example && stringPaths(example).length > 0 ? [{ path, example }] : [];
  });
  t.ok(operations.length >= 30, `${operations.length} command routes with string fields in their example`);
  const concrete = (path: string) =>
    path.replace('{programmeId}', 'tz-t').replace('{projectId}', 'p-t').replace('{creditCode}', '91331000MA2AB12341').replace('{year}', '2019').replace('{code}', '331000').replace(/\{[A-Za-z]+\}/g, 'x1');

  const before = await system.eventCount();
  const refusedPaths = new Set<string>();
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 0, max: operations.length - 1 }),
      fc.nat(),
      fc.string({ maxLength: 20 }),
      forbidden,
      fc.string({ maxLength: 20 }),
      async (which, pathIndex, prefix, bad, suffix) => {
        const op = operations[which]!;
        const paths = stringPaths(op.example);
        const field = paths[pathIndex % paths.length]!;
        const body = withValue(op.example, field, `${prefix}${bad}${suffix}`);
        const res = await system.app.inject({ method: 'POST', url: concrete(op.path), headers: { authorization: `Bearer ${everyone}` }, payload: body as object });
        const problem = res.json<{ code?: string; errors?: Array<{ path: string }> }>();
        refusedPaths.add(`${op.path} ${field.join('.')}`);
        const refused =
          res.statusCode === 400 &&
          String(res.headers['content-type']).startsWith('application/problem+json') &&
          problem.code === 'VALIDATION_FAILED' &&
          (problem.errors ?? []).some((e) => e.path.includes(String(field.at(-1))));
        if (!refused) t.comment(`POST ${op.path} ${field.join('.')}=${JSON.stringify(`${prefix}${bad}${suffix}`)} → ${res.statusCode} ${res.body.slice(0, 300)}`);
        return refused;
      },
    ),
    { numRuns: 400, seed: 20181010 },
  );
  t.equal(await system.eventCount(), before, 'not one event appended');
  t.ok(refusedPaths.size > 60, `${refusedPaths.size} distinct fields were tried`);

  t.test('the programme name with U+0000 of the security review is refused, and the programme is not launched', async (t) => {
    const res = await call('POST', '/v1/programmes', { token: people.alice, body: { programmeId: 'tz-nul', name: 'Evil\u0000Programme', bureau: 'B', quota: 1 } });
    t.equal(res.status, 400);
    t.match(res.body, { code: 'VALIDATION_FAILED', errors: [{ path: 'body.name', message: /U\+0000/ }] });
    t.equal((await call('GET', '/v1/programmes/tz-nul', { token: people.alice })).status, 404);
  });

  t.test('single-line fields take no line break or tab; multi-line fields do', async (t) => {
    for (const title of ['two\nlines', 'tab\there', 'cr\rhere']) {
      const res = await call('POST', '/v1/programmes/tz-t/proposals', {
        token: people.alice,
        body: { title, leadEnterprise: { name: 'X', creditCode: '91331000MA2AB12341' }, industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'W' }, keyTechnologies: ['k'], requestedFunding: 100 },
      });
      t.equal(res.status, 400, `title ${JSON.stringify(title)} is refused`);
    }
    const objection = await call('POST', '/v1/projects/p-t/objections', { token: people.alice, body: { objectionId: 'o1', lodgedOn: '2018-07-02', summary: 'first line\r\nsecond line\n\tindented' } });
    t.equal(objection.status, 200, 'a summary keeps its line breaks and tabs');
    const state = await call('GET', '/v1/projects/p-t', { token: people.alice });
    t.equal(state.status, 200);
  });
});
