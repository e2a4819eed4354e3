import t from 'tap';
import { allProjections, ensureReadModels, rebuildProjections } from '../src/index.js';
import { REPORTING_VIEWS_VERSION } from '../src/reporting/install.js';
import { databases, silent } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

for (const target of targets) {
  t.test('a start installs the reporting views again when an earlier release defined them differently', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const comment = async () => (await h.sql.query<{ c: string }>(`select reporting.views_version() as c`)).rows[0]?.c;
    t.equal(await comment(), REPORTING_VIEWS_VERSION, 'the installed views name the definition they come from');

    // An earlier release's view: same name, another body, its own version mark.
    await h.sql.exec(`create or replace view reporting.bureaus with (security_invoker = true) as
      select code, name, level, parent_code, path, merged_into, registered from proj_projects_g1.bureaus where false`);
    await h.sql.exec(`create or replace function reporting.views_version() returns text language sql immutable as $$ select 'gongguan reporting views 0000000000000000'::text $$`);
    await h.sql.exec(`insert into proj_projects_g1.bureaus (code, name, level, parent_code, path, merged_into, registered)
      values ('330000', '浙江省科学技术厅', 'province', null, '330000', null, true)`);
    t.same((await h.sql.query('select code from reporting.bureaus')).rows, [], 'the old view hides the row');

    await ensureReadModels(h.sql, allProjections);
    t.equal(await comment(), REPORTING_VIEWS_VERSION);
    t.same((await h.sql.query('select code from reporting.bureaus')).rows, [{ code: '330000' }], 'the current definition is installed');

    // Nothing changed since: a second start leaves them alone (a view a reporting job made on them survives).
    await h.sql.exec('create view public.my_report as select code from reporting.bureaus');
    await ensureReadModels(h.sql, allProjections);
    t.same((await h.sql.query('select code from public.my_report')).rows, [{ code: '330000' }]);
    await h.sql.exec('drop view public.my_report');
  });

  t.test('an upgrade that also changes a projection leaves the old views over the old tables until the rebuild swaps in', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    const version = async () => (await h.sql.query<{ c: string }>(`select reporting.views_version() as c`)).rows[0]?.c;
    // The database as an earlier release left it: money built by an older version, views of that release.
    await h.sql.exec(`update projector.projections set version = version - 1 where name = 'money'`);
    await h.sql.exec(`create or replace function reporting.views_version() returns text language sql immutable as $$ select 'gongguan reporting views 0000000000000000'::text $$`);
    await ensureReadModels(h.sql, allProjections);
    const { rows } = await h.sql.query<{ status: string }>(`select status from projector.projections where name = 'money'`);
    t.equal(rows[0]?.status, 'outdated', 'the projection is marked for its rebuild');
    t.equal(await version(), 'gongguan reporting views 0000000000000000', 'the views are left as they were: the old tables may lack what the new views read');
    await rebuildProjections({ sql: h.sql, store: h.store, projections: allProjections.filter((p) => p.name === 'money'), logger: silent });
    t.equal(await version(), REPORTING_VIEWS_VERSION, 'the rebuild installs the current views when it swaps');
  });
}
