import t from 'tap';
import fc from 'fast-check';
import { addDays, annualSummaryDueOn, annualSummaryStatus } from '@gongguan/domain';
import { caller } from './support/api.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * Issue 18, item 5: each city bureau submits its annual work summary to the province, due January
 * 15 of the next year (seed 001; policy); the province lists the late and missing ones. Over real
 * HTTP with the token of each bureau.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

t.test('status on a day: on time up to and including January 15, late after, missing once due and not submitted', async (t) => {
  t.equal(annualSummaryDueOn(2026), '2027-01-15');
  t.equal(annualSummaryStatus(2026, '2027-01-15', '2027-03-01'), 'on_time');
  t.equal(annualSummaryStatus(2026, '2027-01-16', '2027-03-01'), 'late');
  t.equal(annualSummaryStatus(2026, null, '2027-01-15'), 'pending');
  t.equal(annualSummaryStatus(2026, null, '2027-01-16'), 'missing');
  // Property: the status changes only at the due date, and a submission's status never depends on the day asked.
  fc.assert(
    fc.property(fc.integer({ min: 2001, max: 2099 }), fc.integer({ min: -400, max: 400 }), fc.integer({ min: 0, max: 400 }), (year, offset, later) => {
      const due = annualSummaryDueOn(year);
      const submitted = addDays(due, offset);
      const asked = addDays(submitted, later);
      const s = annualSummaryStatus(year, submitted, asked);
      if (s !== (offset <= 0 ? 'on_time' : 'late')) return false;
      return annualSummaryStatus(year, null, addDays(due, offset)) === (offset <= 0 ? 'pending' : 'missing');
    }),
    { seed: Number(process.env.SUMMARY_SEED ?? 20260115), numRuns: 500 },
  );
});

for (const kind of kinds) {
  t.test(`${kind}: cities submit, the province sees who is late and who is missing`, async (t) => {
    const clock = testClock('2027-01-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env })]);
    const call = caller(system.url);
    const tok = (role: 'officer' | 'admin' | 'reporter' | 'auditor', bureau: string) => system.token(role, `${role}-${bureau}`, bureau);
    const zjAdmin = await tok('admin', '330000');
    const must = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await call(method, path, { token, body });
      if (res.status >= 300) t.fail(`${method} ${path} → ${res.status}: ${JSON.stringify(res.body)}`);
      return res;
    };
    const refused = async (method: string, path: string, token: string, body: unknown, status: number, code: string) => {
      const before = await system.eventCount();
      const res = await call(method, path, { token, body });
      t.equal(res.status, status, `${method} ${path} → ${status}: ${JSON.stringify(res.body)}`);
      t.equal(res.body.code, code);
      t.equal(await system.eventCount(), before, 'changed nothing');
    };
    await must('POST', '/v1/bureaus', zjAdmin, { code: '330000', name: '浙江省科学技术厅' });
    for (const [code, name] of [['331000', '台州市科学技术局'], ['331100', '丽水市科学技术局'], ['330300', '温州市科学技术局']] as const) {
      await must('POST', '/v1/bureaus', zjAdmin, { code, name });
    }
    await must('POST', '/v1/bureaus', await tok('admin', '331000'), { code: '331002', name: '椒江区科学技术局' });

    const tz = await tok('officer', '331000');
    const ls = await tok('officer', '331100');
    const body = { title: '2026年度科技工作总结', summary: '全年组织实施重大技术攻关项目。' };
    const submitted = await must('POST', '/v1/bureaus/331000/annual-summaries/2026', tz, body);
    t.equal(submitted.status, 201);
    const events = await system.eventCount();
    await must('POST', '/v1/bureaus/331000/annual-summaries/2026', tz, body);
    t.equal(await system.eventCount(), events, 'a retried submission is answered, not repeated');
    await refused('POST', '/v1/bureaus/331000/annual-summaries/2026', tz, { ...body, title: '另一份' }, 409, 'ALREADY_EXISTS');
    await refused('POST', '/v1/bureaus/331100/annual-summaries/2026', tz, body, 404, 'NOT_FOUND');
    await refused('POST', '/v1/bureaus/331002/annual-summaries/2026', tz, body, 403, 'BUREAU_FORBIDDEN');
    await refused('POST', '/v1/bureaus/331002/annual-summaries/2026', await tok('officer', '331002'), body, 403, 'SUMMARY_NOT_CITY');
    await refused('POST', '/v1/bureaus/330000/annual-summaries/2026', await tok('officer', '330000'), body, 403, 'SUMMARY_NOT_CITY');
    await refused('POST', '/v1/bureaus/331100/annual-summaries/2026', ls, { ...body, submittedOn: '2027-02-01' }, 409, 'INVALID_DATE_RANGE');

    const province = await tok('reporter', '330000');
    const before = await must('GET', '/v1/bureaus/330000/annual-summaries?year=2026', province);
    t.same(before.body.counts, { on_time: 1, late: 0, pending: 2, missing: 0 }, 'before the due date, the others are not yet due');

    clock.set('2027-01-20T02:00:00Z');
    await must('POST', '/v1/bureaus/331100/annual-summaries/2026', ls, body);
    const after = await must('GET', '/v1/bureaus/330000/annual-summaries?year=2026&status=late,missing', province);
    t.same(after.body.counts, { on_time: 1, late: 1, pending: 0, missing: 1 });
    t.same(
      (after.body.summaries as Array<{ bureauCode: string; status: string; statusName: string }>).map((s: { bureauCode: string; status: string; statusName: string }) => [s.bureauCode, s.status, s.statusName]),
      [['330300', 'missing', '逾期未报'], ['331100', 'late', '逾期报送']],
      'the province lists the late and the missing, in Chinese',
    );
    const own = await must('GET', '/v1/bureaus/331000/annual-summaries?year=2026', await tok('auditor', '331000'));
    t.same((own.body.summaries as Array<{ bureauCode: string }>).map((s: { bureauCode: string }) => s.bureauCode), ['331000'], 'a city sees its own');
    const outside = await call('GET', '/v1/bureaus/330000/annual-summaries?year=2026', { token: await tok('reporter', '331000') });
    t.equal(outside.status, 404, 'a city cannot list the province');
    const otherCity = await call('GET', '/v1/bureaus/331100/annual-summaries?year=2026', { token: tz });
    t.equal(otherCity.status, 404, 'nor another city');
    const bad = await call('GET', '/v1/bureaus/330000/annual-summaries?year=2026&status=overdue', { token: province });
    t.equal(bad.status, 400);
  });
}
