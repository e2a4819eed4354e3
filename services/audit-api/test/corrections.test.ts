import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { programme, project, taizhouPolicy, type DomainEvent, type ProgrammeEvent, type ProjectEvent } from '@gongguan/domain';
import type { EventStore } from '@gongguan/event-store';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { auditApp, toAppend } from './fixtures/story.js';
import { officer, officer2 } from '../../../packages/domain/test/fixtures/fixtures.js';
import { submitted } from '../../../packages/domain/test/fixtures/project-story.js';

/**
 * Corrections side by side for the auditor (issue 19): a programme whose window was typed wrongly
 * and amended, a proposal withdrawn. History pairs each correction with its original, state as of
 * and diff show the original and corrected values, a bundle carries both and verifies.
 */

const VERIFIER = new URL('../../../scripts/verify-bundle.mjs', import.meta.url).pathname;
const at = (date: string) => `${date}T10:00:00+08:00`;

/** Appends one event and answers its stored id. */
async function append(store: EventStore, stream: string, event: DomainEvent, backRecorded?: { by: string; role: string }): Promise<string> {
  const e = toAppend(event);
  if (backRecorded) e.metadata.backRecorded = backRecorded;
  let revision: number | 'no_stream' = 'no_stream';
  try {
    revision = (await store.readStream(stream)).at(-1)!.revision;
  } catch {
    revision = 'no_stream';
  }
  await store.append(stream, [e], { expectedRevision: revision });
  return e.id;
}

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.teardown(() => db.drop());
  t.test(`corrections side by side (${db.name})`, async (t) => {
    const { app, store, token } = await auditApp(t, await db.open());
    const G = programme.streamName('tz-2018');
    const launched: ProgrammeEvent = { type: 'ProgrammeLaunched', data: { by: officer, at: at('2018-04-20'), programmeId: 'tz-2018', name: 'Taizhou 2018', bureau: 'Taizhou S&T Bureau', bureauCode: '331000', quota: 10, focusIndustries: ['pumps'], policy: taizhouPolicy } };
    await append(store, G, launched);
    const openedId = await append(store, G, { type: 'SolicitationOpened', data: { by: officer, at: at('2018-04-21'), programmeId: 'tz-2018', opensOn: '2018-05-01', closesOn: '2018-05-03' } });
    const amendedId = await append(store, G, {
      type: 'SolicitationWindowAmended',
      data: { by: officer2, at: at('2018-04-22'), programmeId: 'tz-2018', opensOn: '2018-05-01', closesOn: '2018-07-31', previous: { opensOn: '2018-05-01', closesOn: '2018-05-03', closedOn: null }, reason: '截止日期录入错误', corrects: { eventId: openedId, type: 'SolicitationOpened' } },
    });
    const P = project.streamName('p-pump-01');
    const submittedId = await append(store, P, submitted[0]!, { by: 'clerk-zhou', role: 'officer' });
    await append(store, G, { type: 'ProposalReceived', data: { by: officer, at: at('2018-06-01'), programmeId: 'tz-2018', projectId: 'p-pump-01', submittedOn: '2018-06-01' } });
    const withdrawal: ProjectEvent = { type: 'ProposalWithdrawn', data: { by: officer2, at: at('2018-06-03'), projectId: 'p-pump-01', programmeId: 'tz-2018', withdrawnOn: '2018-06-03', previousStatus: 'submitted', reason: '申报单位主动撤回', corrects: { eventId: submittedId, type: 'ProjectSubmitted' } } };
    const withdrawnId = await append(store, P, withdrawal);

    const headers = { authorization: `Bearer ${await token('auditor')}` };
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers });
      t.equal(res.statusCode, 200, `${url} → ${res.body.slice(0, 300)}`);
      return res.json();
    };

    t.test('history: the correction names its original, the original lists its corrections, also across a page', async (t) => {
      const page = await get(`/v1/audit/streams/${G}/events?limit=2`);
      t.match(page.events[1], { id: openedId, type: 'SolicitationOpened', correctedBy: [{ eventId: amendedId, type: 'SolicitationWindowAmended', stream: G, revision: 2, reason: '截止日期录入错误', by: { id: officer2.id, role: 'officer' }, at: at('2018-04-22') }] }, 'the correction is on the next page, still named');
      t.notOk('correctedBy' in page.events[0], 'an uncorrected event has no correctedBy');
      const rest = await get(`/v1/audit/streams/${G}/events?fromRevision=2`);
      t.match(rest.events[0], { id: amendedId, corrects: { eventId: openedId, type: 'SolicitationOpened', stream: G, revision: 1 }, data: { previous: { closesOn: '2018-05-03' }, closesOn: '2018-07-31' } });
      const h = await get('/v1/audit/projects/p-pump-01/history');
      t.match(h.events[0], { id: submittedId, type: 'ProjectSubmitted', correctedBy: [{ eventId: withdrawnId, type: 'ProposalWithdrawn', reason: '申报单位主动撤回' }], metadata: { backRecorded: { by: 'clerk-zhou', role: 'officer' } } }, 'a back-recorded event shows who entered it');
      t.match(h.events[1], { id: withdrawnId, corrects: { eventId: submittedId, type: 'ProjectSubmitted', revision: 0 } });
    });

    t.test('state as of: each correction with the original and the corrected value', async (t) => {
      const before = await get(`/v1/audit/programmes/tz-2018/state?atRevision=1`);
      t.same(before.corrections, [], 'before the correction: none');
      t.equal(before.state.solicitation.closesOn, '2018-05-03');
      const now = await get(`/v1/audit/programmes/tz-2018/state`);
      t.equal(now.state.solicitation.closesOn, '2018-07-31');
      t.match(now.corrections, [{ event: { eventId: amendedId, type: 'SolicitationWindowAmended', reason: '截止日期录入错误' }, corrects: { eventId: openedId, revision: 1 }, changes: [{ path: 'solicitation.closesOn', original: '2018-05-03', corrected: '2018-07-31' }] }]);
      t.equal(now.corrections[0].changes.length, 1, 'only what the correction changed');
      const p = await get(`/v1/audit/projects/p-pump-01/state`);
      t.match(p.corrections, [{ corrects: { eventId: submittedId }, changes: [{ path: 'status', original: 'submitted', corrected: 'withdrawn' }] }]);
    });

    t.test('diff: the correction between the two points, and changedBy names what it corrects', async (t) => {
      const d = await get(`/v1/audit/programmes/tz-2018/diff?from=1&to=3`);
      const closes = d.changes.find((c: { path: string }) => c.path === 'solicitation.closesOn');
      t.match(closes, { before: '2018-05-03', after: '2018-07-31', changedBy: [{ id: amendedId, corrects: { eventId: openedId, type: 'SolicitationOpened' } }] });
      t.match(d.corrections, [{ event: { eventId: amendedId }, changes: [{ path: 'solicitation.closesOn', original: '2018-05-03', corrected: '2018-07-31' }] }]);
      const later = await get(`/v1/audit/programmes/tz-2018/diff?from=2&to=3`);
      t.same(later.corrections, [], 'a correction before `from` is not between the points');
    });

    t.test('a bundle carries the original and its correction, and verifies', async (t) => {
      const admin = { authorization: `Bearer ${await token('admin')}` };
      t.equal((await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: admin, payload: { reason: 'corrections' } })).statusCode, 201);
      const res = await app.inject({ method: 'GET', url: '/v1/audit/programmes/tz-2018/bundle', headers });
      t.equal(res.statusCode, 200, res.body.slice(0, 300));
      const bundle = res.json() as { files: Record<string, string> };
      const lines = bundle.files['events.ndjson']!.trim().split('\n').map((l) => JSON.parse(l) as { id: string });
      for (const id of [openedId, amendedId, submittedId, withdrawnId]) t.ok(lines.some((e) => e.id === id), `the bundle carries ${id}`);
      const dir = mkdtempSync(join(tmpdir(), 'gongguan-bundle-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      for (const [name, text] of Object.entries(bundle.files)) writeFileSync(join(dir, name), text);
      const r = spawnSync(process.execPath, [VERIFIER, dir], { encoding: 'utf8' });
      t.equal(r.status, 0, r.stdout + r.stderr);
      t.match(r.stdout, /correction/i, 'the verifier names the corrections it carries');
    });
  });
}
