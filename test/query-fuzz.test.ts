import t from 'tap';
import { roles } from '@gongguan/platform';
import { allInOne } from '../scripts/all-in-one.js';
import { caller } from './support/api.js';
import { cast, CODES, launchProgramme, proposalInPublicity } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

type Parameter = { name: string; in: 'query' | 'path' };
type Operation = { path: string; parameters: Parameter[] };

/** A lone surrogate has no UTF-8 form: sent as the bytes of one (invalid UTF-8). */
const enc = (value: string) => (value === '\ud800' ? '%ED%A0%80' : encodeURIComponent(value));
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Values that look like what a parameter takes but are not: dates and instants that do not exist, control characters, huge numbers. */
const nasty = [
  '2024-02-30', '2023-02-29', '2024-13-01', '2024-00-10', '0000-01-01', '99999-01-01', '2024-02-30T00:00:00Z', '0000-01-01T00:00:00Z',
  '2024-01-01T25:00:00Z', '\u0000', 'a\u0000b', '%', '\ud800', 'é\n', '-1', '1e400', '9007199254740993', '3200000000', 'NaN', '', ' ', 'x'.repeat(5000),
  "'; select pg_sleep(5); --", '{"$ne":1}', b64({ s: 'projectId', o: 'asc', v: ['\u0000', null], f: 'x' }), '!!!',
];

for (const kind of databaseKinds().kinds) {
  t.test(`every query and path parameter of every GET route is parsed before SQL: 4xx problems, never 5xx (${kind})`, async (t) => {
    const clock = testClock('2018-07-20T02:00:00Z');
    const services = allInOne.services.map((s) => (s.name === 'lifecycle-api' ? lifecycleService({ env: clock.env, redriver: false }) : s));
    const system = await startSystem(t, kind, services, { GONGGUAN_ENV: 'test', RATE_LIMIT_READS_PER_MINUTE: '0', REPORTING_MAX_WAIT_MS: '2000' });
    const call = caller(system.url);
    const people = await cast(system);
    await launchProgramme(call, people, 'tz-q');
    await proposalInPublicity(call, people, 'tz-q', 'p-q1', CODES.lead, clock.set);
    await proposalInPublicity(call, people, 'tz-q', 'p-q2', CODES.lead, clock.set);
    const everyone = await system.token([...roles], 'fuzzer');
    const get = (url: string) => system.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${everyone}` } });
    // Projected, so that a list has a second page and its cursor reaches SQL.
    const head = (await system.store.headPosition()).toString();
    t.equal((await get(`/v1/reporting/projects?minPosition=${head}`)).statusCode, 200);

    const doc = (await get('/openapi.json')).json<{ paths: Record<string, Record<string, { parameters?: Parameter[] }>> }>();
    const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, ops]) => (ops.get ? [{ path, parameters: ops.get.parameters ?? [] }] : []));
    const fill = (path: string) => path.replace('{projectId}', 'p-q1').replace('{programmeId}', 'tz-q').replace('{id}', 'p-q1').replace(/\{[A-Za-z]+\}/g, 'x1');

    // Real cursors with their values swapped for forged ones: the fingerprint matches, so only the values are wrong.
    const forged: string[] = [];
    const badValues: Record<string, unknown[][]> = {
      projectId: [[{ a: 1 }, 'p'], ['p\u0000', 'p'], [1e300, 'p'], ['x', 7], ['x'], ['x', 'p', 'q']],
      submittedOn: [['2024-02-30', 'p'], ['x', 'p'], ['0000-01-01', 'p'], [{ a: 1 }, 'p'], [1e300, 'p'], ['2018-06-01']],
    };
    for (const [sort, values] of Object.entries(badValues)) {
      const page = (await get(`/v1/reporting/projects?limit=1&sort=${sort}`)).json<{ nextCursor: string | null }>();
      if (page.nextCursor === null) throw new Error('no second page');
      const cursor = JSON.parse(Buffer.from(page.nextCursor, 'base64url').toString()) as { v: unknown[] };
      t.equal((await get(`/v1/reporting/projects?limit=1&sort=${sort}&cursor=${b64(cursor)}`)).statusCode, 200, 'the real cursor re-encoded is accepted');
      for (const v of values) forged.push(`sort=${sort}&cursor=${b64({ ...cursor, v })}`);
    }

    const failures: string[] = [];
    let requests = 0;
    const check = async (url: string) => {
      const res = await get(url);
      requests++;
      if (res.statusCode >= 500) failures.push(`${url.slice(0, 200)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
      // The router's own 414 (URI too long) and 400 (a path that is not UTF-8) come before the app's error handler.
      else if (res.statusCode >= 400 && !String(res.headers['content-type']).startsWith('application/problem+json') && res.statusCode !== 414 && !url.includes('%ED%A0%80')) {
        failures.push(`${url.slice(0, 200)} → ${res.statusCode} is not problem+json`);
      }
      return res;
    };
    for (const op of operations) {
      for (const param of op.parameters) {
        if (param.name === 'minPosition') continue;
        for (const value of nasty) {
          if (param.in === 'path') await check(fill(op.path.replace(`{${param.name}}`, enc(value))));
          else await check(`${fill(op.path)}?${encodeURIComponent(param.name)}=${enc(value)}`);
        }
      }
    }
    for (const query of forged) {
      const res = await check(`/v1/reporting/projects?limit=1&${query}`);
      if (res.statusCode !== 400) failures.push(`a forged cursor (${query.slice(0, 40)}…) → ${res.statusCode}`);
    }
    for (const bad of ['asOf=2024-02-30', 'submittedFrom=2024-13-01', 'county=a%00b']) {
      const res = await get(`/v1/reporting/projects?${bad}`);
      const name = bad.split('=')[0]!;
      if (res.statusCode !== 400 || !JSON.stringify(res.json()).includes(name)) failures.push(`?${bad} → ${res.statusCode}, not a 400 naming ${name}`);
    }
    t.same(failures, [], `${requests} requests over ${operations.length} GET routes: no 5xx`);
  });
}
