import t from 'tap';
import { Registry } from 'prom-client';
import { allProjections, projectorMetrics, startProjector } from '../src/index.js';
import { loadProvince } from '../src/generate/load.js';
import { count, databases, projectToHead, silent, waitForHead } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

for (const target of targets) {
  t.test('a projector that dies inside a batch restarts and converges, counting nothing twice', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const loaded = await loadProvince(h.store, { projects: 40, seed: 5 });
    let batches = 0;
    let crashes = 0;
    const projector = startProjector({
      sql: h.sql,
      store: h.store,
      projections: allProjections,
      logger: silent,
      maxBatch: 200,
      pageSize: 200,
      retryDelayMs: 10,
      // Every third batch dies after its rows are written and before the commit, as a killed process would.
      beforeCommit: () => {
        if (++batches % 3 === 0) {
          crashes++;
          throw new Error('killed in the middle of a batch');
        }
      },
    });
    t.teardown(() => projector.stop());
    await waitForHead(h, projector);
    t.ok(crashes >= 3, `it died ${crashes} times`);
    t.equal(await count(h.sql, 'reporting.activity'), loaded.events, 'every event in the feed exactly once');
    const { rows } = await h.sql.query<{ paid: number; submitted: number }>(
      `select (select coalesce(sum(amount), 0)::float8 from reporting.money_movements where kind = 'paid') as paid,
              (select count(*)::int from reporting.projects) as submitted`,
    );
    let paid = 0;
    for (let after: string | undefined; ; ) {
      const page = await h.store.readAll({ ...(after ? { after: after as never } : {}), limit: 5000 });
      for (const e of page.events) if (e.type === 'DisbursementPaid') paid += Number((e.data as { amount: number }).amount);
      after = page.position;
      if (page.caughtUp) break;
    }
    t.equal(Number(rows[0]?.paid), paid, 'money paid equals the raw events');
    t.equal(rows[0]?.submitted, loaded.projects);
  });

  t.test('events of streams no projection owns are skipped on purpose: the checkpoints pass them, nothing stops', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    await loadProvince(h.store, { projects: 5, seed: 7 });
    const projector = await projectToHead(h);
    t.teardown(() => projector.stop());
    const feed = await count(h.sql, 'reporting.activity');
    const meta = { actorId: 'audit-sealer', actorRole: 'system', correlationId: 'seal' };
    // What the audit service appends every AUDIT_SEAL_INTERVAL_MS, and a type from some later service.
    await h.store.append('audit-tree-heads', [{ id: 'b0000000-0000-4000-8000-000000000001', type: 'TreeHeadSealed', schemaVersion: 1, data: { treeSize: 3, rootHash: 'ab' }, metadata: meta }], { expectedRevision: 'no_stream' });
    await h.store.append('mystery-1', [{ id: 'b0000000-0000-4000-8000-000000000002', type: 'MysteryHappened', schemaVersion: 1, data: {}, metadata: meta }], { expectedRevision: 'no_stream' });
    await loadProvince(h.store, { projects: 2, seed: 8, idPrefix: 'z' });
    const last = await h.store.append('audit-tree-heads', [{ id: 'b0000000-0000-4000-8000-000000000003', type: 'TreeHeadSealed', schemaVersion: 1, data: { treeSize: 9, rootHash: 'cd' }, metadata: meta }], { expectedRevision: 0 });
    await waitForHead(h, projector);
    const { rows } = await h.sql.query<{ name: string; status: string; position: string }>('select name, status, position from projector.projections order by name');
    t.same(rows.map((r) => [r.name, r.status, r.position]), [['activity', 'live', last.position], ['money', 'live', last.position], ['projects', 'live', last.position]], 'every checkpoint is past the last seal');
    t.same(await projector.readiness(), { ok: true });
    t.equal(await count(h.sql, 'reporting.activity', `type in ('TreeHeadSealed', 'MysteryHappened')`), 0, 'the feed shows domain events only');
    t.ok((await count(h.sql, 'reporting.activity')) > feed, 'the events after the seals were applied');
    t.equal(await count(h.sql, 'reporting.projects', `project_id like 'z%'`), 2);
  });

  t.test('an unknown or malformed event stops the projections it concerns, loudly, naming the event', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    await loadProvince(h.store, { projects: 10, seed: 6 });
    const registry = new Registry();
    const metrics = projectorMetrics(registry);
    const projector = await projectToHead(h, { metrics });
    t.ok((await projector.readiness()).ok, 'ready before');
    const meta = { actorId: 'finance-01', actorRole: 'finance', correlationId: 'bad' };
    const bad = await h.store.append('disbursement-bad-1', [{ id: 'a0000000-0000-4000-8000-000000000001', type: 'DisbursementApproved', schemaVersion: 1, data: { disbursementId: 'bad-1' }, metadata: meta }], { expectedRevision: 'no_stream' });
    let readiness = await projector.readiness();
    for (let i = 0; i < 200 && readiness.ok; i++) {
      await new Promise((r) => setTimeout(r, 20));
      readiness = await projector.readiness();
    }
    t.notOk(readiness.ok, '/readyz is not ready');
    t.match(readiness.detail, /projection money stopped at event a0000000-0000-4000-8000-000000000001 \(DisbursementApproved, stream disbursement-bad-1 revision 0/);
    t.match(readiness.detail, /projection activity stopped/, 'the feed handles every type, so it stops too');
    const { rows } = await h.sql.query<{ name: string; status: string; position: string }>('select name, status, position from projector.projections order by name');
    t.match(rows, [
      { name: 'activity', status: 'failed' },
      { name: 'money', status: 'failed' },
      { name: 'projects', status: 'live' },
    ], 'the projection that does not handle the type goes on');
    t.ok(rows.every((r) => (r.name === 'projects' ? r.position === bad.position : r.position < bad.position)), 'stopped ones did not pass the bad event; the other one did');
    t.match(await registry.metrics(), /gongguan_projection_failed\{projection="money"\} 1/);

    // A type this code does not know, in a stream a projection owns: the projections of that stream stop.
    await h.store.append('project-mystery-1', [{ id: 'a0000000-0000-4000-8000-000000000003', type: 'MysteryHappened', schemaVersion: 1, data: {}, metadata: meta }], { expectedRevision: 'no_stream' });
    for (let i = 0; i < 200; i++) {
      const { rows: p } = await h.sql.query<{ status: string }>(`select status from projector.projections where name = 'projects'`);
      if (p[0]?.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    t.match(await projector.readiness(), { ok: false, detail: /projection projects stopped at event a0000000-0000-4000-8000-000000000003 \(MysteryHappened/ }, 'an unknown type in its own stream stops a projection');
    const { rows: failures } = await h.sql.query<{ name: string; kind: string }>(`select name, error->>'kind' as kind from projector.projections order by name`);
    t.same(failures, [{ name: 'activity', kind: 'malformed' }, { name: 'money', kind: 'malformed' }, { name: 'projects', kind: 'unknown-type' }], 'each stop says why');
    await projector.stop();
    const again = startProjector({ sql: h.sql, store: h.store, projections: allProjections, logger: silent });
    t.teardown(() => again.stop());
    await new Promise((r) => setTimeout(r, 300));
    t.notOk((await again.readiness()).ok, 'a restart tries again and stops at the same event: nothing of its own is skipped');
  });
}
