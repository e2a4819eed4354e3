import t from 'tap';
import { allProjections, rebuildProjections, schemaName, type RebuildProgress } from '../src/index.js';
import { loadProvince } from '../src/generate/load.js';
import { count, databases, mergeTaizhouIntoHangzhou, projectToHead, registerProvince, rowsOffPath, silent, waitForHead } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

for (const target of targets) {
  t.test('a rebuild equals the live tables row for row, passing the audit service\'s tree heads; readers see the old generation until the swap', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    await loadProvince(h.store, { projects: 30, seed: 8 });
    // A seal in the middle of the log, as the audit service appends every AUDIT_SEAL_INTERVAL_MS: no projection owns it.
    await h.store.append('audit-tree-heads', [{ id: 'c0000000-0000-4000-8000-000000000001', type: 'TreeHeadSealed', schemaVersion: 1, data: { treeSize: 1 }, metadata: { actorId: 'audit', actorRole: 'system', correlationId: 'seal' } }], { expectedRevision: 'no_stream' });
    // Bureaus registered between facts of the legacy bureau (331000), which is later merged into another city.
    await registerProvince(h.store);
    await loadProvince(h.store, { projects: 20, seed: 18, idPrefix: 'w' });
    await mergeTaizhouIntoHangzhou(h.store);
    const projector = await projectToHead(h);
    t.teardown(() => projector.stop());
    t.same(await rowsOffPath(h.sql, '330000.330100'), [], 'the merge moved every row of the legacy bureau under Hangzhou');
    // Mark the live generation, so we can tell which one readers see.
    await h.sql.query(`update proj_projects_g1.projects set title = 'OLD GENERATION' where project_id = (select min(project_id) from proj_projects_g1.projects)`);
    const seen: string[] = [];
    const progress: RebuildProgress[] = [];
    let appendedDuringRebuild = false;
    const result = await rebuildProjections({
      sql: h.sql,
      store: h.store,
      projections: allProjections,
      logger: silent,
      pageSize: 300,
      keepOld: true,
      onProgress: async (p) => {
        progress.push(p);
        // Let the live projector reach the head too, so both generations end at the same event.
        if (p.phase === 'swapping') await waitForHead(h, projector);
        if (p.phase !== 'building') return;
        const { rows } = await h.sql.query<{ title: string }>(`select title from reporting.projects where title = 'OLD GENERATION'`);
        seen.push(rows[0]?.title ?? 'new');
        if (!appendedDuringRebuild) {
          appendedDuringRebuild = true;
          // Events keep arriving while the rebuild runs; the live projector applies them to the old generation.
          await loadProvince(h.store, { projects: 5, seed: 9, idPrefix: 'x' });
        }
      },
    });
    t.ok(seen.length > 1 && seen.every((s) => s === 'OLD GENERATION'), 'readers saw the old tables during the whole rebuild');
    t.ok(progress.some((p) => p.phase === 'building' && p.events > 0 && p.eventsPerSecond > 0), 'progress is reported');
    t.same(result.generations, { projects: { from: 0, to: 2 }, money: { from: 0, to: 2 }, activity: { from: 0, to: 2 } });
    t.same(await rowsOffPath(h.sql, '330000.330100'), [], 'rows written after the merge have the merged path too');
    const { rows: jiaojiang } = await h.sql.query<{ path: string }>(`select path from reporting.bureaus where code = '331002'`);
    t.equal(jiaojiang[0]?.path, '330000.330100.331002', 'the county merged into Hangzhou first sits under it');
    const { rows: after } = await h.sql.query<{ n: number }>(`select count(*)::int as n from reporting.projects where title = 'OLD GENERATION'`);
    t.equal(after[0]?.n, 0, 'after the swap readers see the rebuilt tables');

    // Put the marked row back as the events say, then compare every table of both generations.
    await h.sql.query(`update proj_projects_g1.projects o set title = n.title from proj_projects_g2.projects n where o.project_id = n.project_id`);
    for (const projection of allProjections) {
      for (const table of projection.tables) {
        const [oldT, newT] = [1, 2].map((g) => `${schemaName(projection.name, g)}.${table.name}`);
        const { rows } = await h.sql.query<{ missing: number; extra: number; total: number }>(
          `select (select count(*)::int from (select * from ${oldT} except all select * from ${newT}) a) as missing,
                  (select count(*)::int from (select * from ${newT} except all select * from ${oldT}) b) as extra,
                  (select count(*)::int from ${newT}) as total`,
        );
        t.match(rows[0], { missing: 0, extra: 0 }, `${projection.name}.${table.name}: ${rows[0]?.total} rows, identical`);
      }
    }
    const { rows: live } = await h.sql.query<{ name: string; generation: number; status: string }>('select name, generation, status from projector.projections order by name');
    t.same(live.map((r) => [r.name, r.generation, r.status]), [['activity', 2, 'live'], ['money', 2, 'live'], ['projects', 2, 'live']]);
  });
}

for (const target of targets) {
  t.test('a rebuild that meets an event it cannot apply is abandoned, its tables dropped, the live generation kept', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    await loadProvince(h.store, { projects: 20, seed: 13 });
    const projector = await projectToHead(h);
    await projector.stop();
    const before = await count(h.sql, 'reporting.projects');
    const meta = { actorId: 'finance-01', actorRole: 'finance', correlationId: 'bad' };
    await h.store.append('disbursement-bad-9', [{ id: 'a0000000-0000-4000-8000-000000000009', type: 'DisbursementApproved', schemaVersion: 1, data: { disbursementId: 'bad-9' }, metadata: meta }], { expectedRevision: 'no_stream' });
    // More events after the bad one, so that pages are still being written when it is met.
    await loadProvince(h.store, { projects: 5, seed: 14, idPrefix: 'y' });
    // Small pages: several batches are written (and one is in flight) before the bad event is reached.
    await t.rejects(
      rebuildProjections({ sql: h.sql, store: h.store, projections: allProjections, logger: silent, pageSize: 50 }),
      /projection money stopped at event a0000000-0000-4000-8000-000000000009 \(DisbursementApproved/,
    );
    const { rows } = await h.sql.query<{ name: string; state: string; error: string }>(
      `select name, state, error from projector.generations where generation = 2 order by name`,
    );
    t.same(rows.map((r) => [r.name, r.state]), [['activity', 'abandoned'], ['money', 'abandoned'], ['projects', 'abandoned']]);
    const { rows: schemas } = await h.sql.query<{ n: number }>(`select count(*)::int as n from information_schema.schemata where schema_name like 'proj\\_%\\_g2'`);
    t.equal(schemas[0]?.n, 0, 'the new generation\'s tables are dropped');
    const { rows: live } = await h.sql.query<{ name: string; generation: number }>('select name, generation from projector.projections order by name');
    t.same(live.map((r) => [r.name, r.generation]), [['activity', 1], ['money', 1], ['projects', 1]], 'readers keep the live generation');
    t.equal(await count(h.sql, 'reporting.projects'), before, 'and its rows');
  });
}
