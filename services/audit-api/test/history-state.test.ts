import t from 'tap';
import { parseEvent, project, type DomainEvent } from '@gongguan/domain';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { fold, stateAsOf, type AsOf } from '../src/state/replay.js';
import { SnapshotCache } from '../src/state/snapshots.js';
import { appendStory, auditApp, PROJECT_ID } from './fixtures/story.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.teardown(() => db.drop());
  t.test(`history and state as of (${db.name})`, async (t) => {
    const sql = await db.open();
    const { app, store, token } = await auditApp(t, sql);
    await appendStory(store);
    const auditor = { authorization: `Bearer ${await token('auditor')}` };
    const get = async (url: string) => {
      const res = await app.inject({ method: 'GET', url, headers: auditor });
      t.equal(res.statusCode, 200, `${url} → ${res.body.slice(0, 300)}`);
      return res.json();
    };

    t.test('a stream page shows who, in which role, when recorded and effective, why, and the hashes', async (t) => {
      const first = await get(`/v1/audit/streams/project-${PROJECT_ID}/events?limit=5`);
      t.equal(first.events.length, 5);
      t.equal(first.nextRevision, 5);
      t.match(first.events[0], { revision: 0, type: 'ProjectSubmitted', metadata: { actorId: 'officer-li', actorRole: 'officer', recordedAt: /Z$/ }, prevHash: '0'.repeat(64), hash: /^[0-9a-f]{64}$/ });
      const all = await get(`/v1/audit/streams/project-${PROJECT_ID}/events?limit=1000`);
      t.equal(all.nextRevision, null);
      t.ok(all.events.some((e: { metadata: { effectiveDate?: string } }) => e.metadata.effectiveDate), 'effective dates are shown');
      const missing = await app.inject({ method: 'GET', url: '/v1/audit/streams/project-nope/events', headers: auditor });
      t.equal(missing.statusCode, 404);
      t.equal(missing.json().code, 'NOT_FOUND', "a missing stream answers as another bureau's does (bureau-scope.test.ts)");
    });

    t.test("a project's combined history includes its ledger, disbursement and bank claim, in store order", async (t) => {
      const h = await get(`/v1/audit/projects/${PROJECT_ID}/history`);
      t.same([...h.streams].sort(), ['bank-reference-ICBC-2019-0001', 'disbursement-r2-pay1', `project-${PROJECT_ID}`, 'subsidy-91331000MA28A1B2CY-2019'].sort());
      const positions = h.events.map((e: { position: string }) => e.position);
      t.same(positions, [...positions].sort(), 'store order');
      t.notOk(h.events.some((e: { stream: string }) => e.stream === 'project-p-other-02'), "another project's events are not included");
      t.ok(h.events.some((e: { type: string }) => e.type === 'R2PaymentAssessed'));
      t.notOk(h.events.some((e: { type: string }) => e.type === 'R2LedgerOpened'), 'ledger events of no particular project are left out');
    });

    t.test('state as of every event boundary equals the state folded so far (by revision and by time)', async (t) => {
      const stored = await store.readStream(`project-${PROJECT_ID}`);
      const domain: DomainEvent[] = stored.map(parseEvent);
      for (let i = 0; i < stored.length; i++) {
        const expected = JSON.parse(JSON.stringify(fold('project', domain.slice(0, i + 1))));
        const byRevision = await get(`/v1/audit/projects/${PROJECT_ID}/state?atRevision=${i}`);
        t.same(byRevision.state, expected, `after revision ${i}`);
        t.equal(byRevision.revision, i);
        const at = stored[i]!.metadata.recordedAt;
        const n = stored.filter((e) => e.metadata.recordedAt <= at).length;
        const byTime = await get(`/v1/audit/projects/${PROJECT_ID}/state?asOf=${encodeURIComponent(at)}`);
        t.same(byTime.state, JSON.parse(JSON.stringify(fold('project', domain.slice(0, n)))), `as of ${at}`);
      }
      const before = await get(`/v1/audit/projects/${PROJECT_ID}/state?asOf=2000-01-01T00:00:00Z`);
      t.equal(before.revision, -1);
      t.same(before.state, JSON.parse(JSON.stringify(project.decider.initialState)), 'before the first event: the initial state');
      const now = await get(`/v1/audit/projects/${PROJECT_ID}/state`);
      t.equal(now.state.status, 'closed');
      const d = await get(`/v1/audit/disbursements/r2-pay1/state?atRevision=1`);
      t.equal(d.state.status, 'approved');
      const bad = await app.inject({ method: 'GET', url: `/v1/audit/projects/${PROJECT_ID}/state?asOf=yesterday`, headers: auditor });
      t.equal(bad.statusCode, 400);
    });

    t.test('with a snapshot cache, every replay equals the full replay, in any order (snapshots every 3 revisions)', async (t) => {
      const stored = await store.readStream(`project-${PROJECT_ID}`);
      const snapshots = new SnapshotCache({ every: 3 });
      const points: AsOf[] = [
        ...stored.map((_, i) => ({ atRevision: i })),
        ...stored.map((e) => ({ asOf: e.metadata.recordedAt })),
        { atRevision: stored.length + 5 },
        { asOf: '2000-01-01T00:00:00Z' },
        {},
      ];
      // Deterministic shuffle: later points first, so lookups land above, on and below snapshots.
      const order = points.map((p, i) => ({ p, k: (i * 7919) % points.length })).sort((a, b) => a.k - b.k).map((x) => x.p);
      for (const point of [...order, ...order]) {
        const cached = await stateAsOf(store, 'project', PROJECT_ID, point, snapshots);
        const full = await stateAsOf(store, 'project', PROJECT_ID, point);
        t.same(cached, full, JSON.stringify(point));
      }
      t.equal(snapshots.size, 1, 'one stream kept');
      t.ok(snapshots.nearest(`project-${PROJECT_ID}`, stored.length - 1), 'snapshots were taken');
      t.equal(snapshots.nearest(`project-${PROJECT_ID}`, 1), undefined, 'none below the first kept revision (2)');
    });

    t.test('a huge atRevision is the latest state, and the snapshot lookup works over what is kept, not over the number asked for', async (t) => {
      const stored = await store.readStream(`project-${PROJECT_ID}`);
      const snapshots = new SnapshotCache({ every: 2 });
      const latest = await stateAsOf(store, 'project', PROJECT_ID, {}, snapshots);
      const kept = Math.floor(stored.length / 2);
      for (const atRevision of [3_200_000_000, Number.MAX_SAFE_INTEGER, stored.length - 1]) {
        const before = snapshots.probes;
        t.same(await stateAsOf(store, 'project', PROJECT_ID, { atRevision }, snapshots), latest, `atRevision ${atRevision}`);
        t.ok(snapshots.probes - before <= kept, `${snapshots.probes - before} snapshots examined for ${atRevision} (${kept} kept)`);
      }
      const huge = await get(`/v1/audit/projects/${PROJECT_ID}/state?atRevision=3200000000`);
      t.equal(huge.revision, stored.length - 1, 'over HTTP too');
      for (const bad of ['9007199254740992', '1e400', '-1', '1.5']) {
        const res = await app.inject({ method: 'GET', url: `/v1/audit/projects/${PROJECT_ID}/state?atRevision=${bad}`, headers: auditor });
        t.equal(res.statusCode, 400, `atRevision=${bad} → ${res.statusCode}`);
      }
    });

    t.test('a diff names the fields that changed and the events that changed them', async (t) => {
      const stored = await store.readStream(`project-${PROJECT_ID}`);
      const signed = stored.findIndex((e) => e.type === 'TaskBookSigned');
      const diff = await get(`/v1/audit/projects/${PROJECT_ID}/diff?from=${signed - 1}&to=${signed}`);
      const status = diff.changes.find((c: { path: string }) => c.path === 'status');
      t.match(status, { before: 'approved', after: 'in_progress', changedBy: [{ type: 'TaskBookSigned', revision: signed, actorId: 'officer-li' }] });
      t.ok(diff.changes.some((c: { path: string }) => c.path === 'taskBook'), 'the task book appeared');
      const whole = await get(`/v1/audit/projects/${PROJECT_ID}/diff?from=0&to=${encodeURIComponent(stored.at(-1)!.metadata.recordedAt)}`);
      const statusChanges = whole.changes.find((c: { path: string }) => c.path === 'status');
      t.equal(statusChanges.after, 'closed');
      t.ok(statusChanges.changedBy.length >= 5, 'every status change is attributed');
      const backwards = await app.inject({ method: 'GET', url: `/v1/audit/projects/${PROJECT_ID}/diff?from=5&to=2`, headers: auditor });
      t.equal(backwards.statusCode, 400);
    });
  });
}
