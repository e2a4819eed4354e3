import { randomBytes } from 'node:crypto';
import t from 'tap';
import { openPostgres, type Sql } from '@gongguan/platform/db';
import { allProjections, rebuildProjections } from '../src/index.js';
import { annualSummary, BUREAU_REGISTRY_STREAM } from '@gongguan/domain';
import { bureauStories, loadProvince, onAnnualSummary, seededRandom, storedRegistry, World, zhejiangCities } from '../src/generate/load.js';
import { count, databases, projectToHead, silent } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

/** What `role` sees, in one transaction as that role; `setting` tries to widen the scope through the GUC. */
async function seenAs(sql: Sql, role: string, setting?: string) {
  const { rows: live } = await sql.query<{ generation: number }>(`select generation from projector.projections where name = 'projects'`);
  const projects = `proj_projects_g${live[0]?.generation ?? 1}`;
  return sql.transaction(async (tx) => {
    await tx.query(`select set_config('role', $1, true)`, [role]);
    if (setting !== undefined) await tx.query(`select set_config('gongguan.bureau_path', $1, true)`, [setting]);
    const ids = async (text: string) => (await tx.query<{ id: string }>(text)).rows.map((r) => r.id).sort();
    return {
      programmes: await ids(`select programme_id as id from reporting.programmes where programme_id like '%-prog'`),
      projects: await ids(`select project_id as id from reporting.projects_as_of('2024-06-30') where project_id like '%-p1'`),
      // R1 payments of the stories' projects (the generated province's projects end in -0001…).
      money: await ids(`select project_id as id from reporting.money_movements where project_id like '%-p1' and rule = 'R1'`),
      ledgers: await ids(`select bureau_code || ':' || ledger as id from reporting.institution_subsidies where year = 2024 and credit_code = '12331000470000001L'`),
      table: await ids(`select project_id as id from ${projects}.projects where project_id like '%-p1'`),
      bureaus: await ids(`select code as id from reporting.bureaus`),
      // Hangzhou's summary of 2024 (the generated province has Taizhou's own, 2018–2024).
      summaries: await ids(`select bureau_code as id from reporting.activity where type = 'AnnualSummarySubmitted' and stream = 'annual-summary-330100-2024'`),
      allProjects: Number((await tx.query<{ n: number }>(`select count(*)::int as n from reporting.projects`)).rows[0]?.n),
    };
  });
}

for (const target of targets) {
  t.test('reporting roles see only their bureau\'s subtree, through the views and the tables, in every generation', async (t) => {
    const h = await target();
    const suffix = randomBytes(4).toString('hex');
    const role = (name: string) => `gg_rep_${name}_${suffix}`;
    const roles = ['tz', 'jj', 'zj', 'other'].map(role);
    t.teardown(async () => {
      // Roles belong to the cluster: drop them (their grants in this database first).
      if (h.db.name === 'postgres') for (const r of roles) await h.sql.exec(`drop owned by ${r}; drop role if exists ${r}`).catch(() => undefined);
      await h.close();
    });
    // Some legacy facts (all Taizhou's, its bureaus registered by the generator), then the rest of
    // the registry and a year of five bureaus, all decided by the domain's deciders and written as
    // the lifecycle API writes them, through the projector.
    await loadProvince(h.store, { projects: 6, seed: 5 });
    const world = new World(seededRandom(7));
    const { registry } = await storedRegistry(h.store);
    if (registry !== undefined) world.preload(BUREAU_REGISTRY_STREAM, registry.state, registry.revision);
    const { appends } = bureauStories(world);
    // Hangzhou's annual work summary to the province: its own stream, its bureau in the event.
    onAnnualSummary(world, annualSummary.streamName('330100', 2024), 'SubmitAnnualSummary', { bureauCode: '330100', year: 2024, title: '杭州市2024年度科技工作总结', summary: '全年完成攻关项目验收。' }, { id: 'hz-officer', role: 'officer' }, '2025-01-10');
    appends.push(...world.flush());
    for (const a of appends) await h.store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
    const projector = await projectToHead(h);
    await projector.stop();
    const legacyProjects = (await count(h.sql, 'reporting.projects')) - 5;
    const { rows: placed } = await h.sql.query<{ project_id: string; bureau_path: string; county_code: string | null }>(
      `select project_id, bureau_path, county_code from proj_projects_g1.projects where project_id like '%-p1' order by project_id`,
    );
    t.same(placed.map((p) => [p.project_id, p.bureau_path, p.county_code]), [
      ['hz-p1', '330000.330100', null],
      ['jj-p1', '330000.331000.331002', null],
      ['sc-p1', '330000.330100.330102', null],
      ['tz-p1', '330000.331000', '331002'],
      ['zj-p1', '330000', null],
    ], 'each project is its programme\'s bureau\'s (ProjectSubmitted v4), Taizhou\'s names its applicant\'s county');

    await h.sql.query(`select reporting.create_bureau_role($1, '331000')`, [role('tz')]);
    await h.sql.query(`select reporting.create_bureau_role($1, '331002')`, [role('jj')]);
    await h.sql.query(`select reporting.create_bureau_role($1, '330000')`, [role('zj')]);
    await h.sql.query(`select reporting.create_bureau_role($1, '331002')`, [role('jj')]);
    t.pass('create_bureau_role is idempotent');
    await h.sql.exec(`create role ${role('other')} nologin; grant gongguan_bureau_reader to ${role('other')}`);

    const tz = await seenAs(h.sql, role('tz'));
    t.same(tz.programmes, ['jj-prog', 'tz-prog'], 'Taizhou sees its programme and its county\'s');
    t.same(tz.projects, ['jj-p1', 'tz-p1']);
    t.same(tz.table, ['jj-p1', 'tz-p1'], 'the read-model table itself, not only the views');
    t.same(tz.money, ['jj-p1', 'tz-p1']);
    t.same(tz.ledgers, ['331000:r3-12331000470000001L-2024', '331002:r3-331002-12331000470000001L-2024'], 'ledgers belong to the bureau they were opened with (the legacy one keeps its name)');
    const taizhouCounties = zhejiangCities.find((c) => c.code === '331000')!.counties.map((c) => c.code);
    t.same(tz.bureaus, ['331000', ...taizhouCounties].sort(), 'Taizhou and its counties (the generator registers all of them)');
    t.same(tz.summaries, [], 'nor another city\'s annual summary in the feed');
    t.equal(tz.allProjects, legacyProjects + 2, 'and every legacy project');
    const jj = await seenAs(h.sql, role('jj'));
    t.same([jj.programmes, jj.projects, jj.money, jj.bureaus], [['jj-prog'], ['jj-p1'], ['jj-p1'], ['331002']], 'Jiaojiang sees only its own');
    const zj = await seenAs(h.sql, role('zj'));
    t.same(zj.programmes, ['hz-prog', 'jj-prog', 'sc-prog', 'tz-prog', 'zj-prog'], 'the province sees all');
    t.equal(zj.allProjects, legacyProjects + 5);
    t.equal(zj.ledgers.length, 5);
    t.same(zj.summaries, ['330100'], 'an annual summary is the bureau\'s that submitted it');

    t.same(await seenAs(h.sql, role('jj'), '330000'), jj, 'a reporting role cannot widen its scope by setting gongguan.bureau_path');
    const other = await seenAs(h.sql, role('other'), '330000');
    t.same([other.programmes, other.projects, other.money, other.table, other.allProjects], [[], [], [], [], 0], 'a role not mapped to a bureau sees nothing');
    const scopedNone = await seenAs(h.sql, 'gongguan_scoped');
    t.same([scopedNone.programmes, scopedNone.allProjects], [[], 0], 'gongguan_scoped without gongguan.bureau_path sees nothing');
    const scopedHz = await seenAs(h.sql, 'gongguan_scoped', '330000.330100');
    t.same([scopedHz.programmes, scopedHz.projects, scopedHz.money], [['hz-prog', 'sc-prog'], ['hz-p1', 'sc-p1'], ['hz-p1', 'sc-p1']], 'gongguan_scoped sees the subtree of its setting');
    const scopedPrefix = await seenAs(h.sql, 'gongguan_scoped', '330000.33100');
    t.same(scopedPrefix.programmes, [], 'a path is matched by whole codes, not by text prefix');

    await h.sql.query(`select reporting.create_bureau_role($1, '330100')`, [role('jj')]);
    t.same((await seenAs(h.sql, role('jj'))).programmes, ['hz-prog', 'sc-prog'], 'calling it again re-maps the role');
    await t.rejects(h.sql.query(`select reporting.create_bureau_role($1, '33100')`, [role('jj')]), /6-digit/, 'a bad code is refused');

    // A rebuild makes new tables: they have row-level security too.
    await rebuildProjections({ sql: h.sql, store: h.store, projections: allProjections, logger: silent });
    const { rows: unprotected } = await h.sql.query<{ t: string }>(
      `select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname like 'proj\\_%\\_g2' and c.relkind = 'r' and not c.relrowsecurity
          and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname in ('bureau_path', 'path') and not a.attisdropped)`,
    );
    t.same(unprotected, [], 'every bureau-scoped table of the rebuilt generation has row-level security');
    const rebuilt = await seenAs(h.sql, role('tz'));
    t.same([rebuilt.allProjects, rebuilt.projects, rebuilt.table], [legacyProjects + 2, ['jj-p1', 'tz-p1'], ['jj-p1', 'tz-p1']], 'after the rebuild Taizhou sees the same');
    t.same((await seenAs(h.sql, role('jj'))).projects, ['hz-p1', 'sc-p1'], 'and Hangzhou only its own subtree');

    if (h.db.name === 'postgres' && h.db.url !== undefined) {
      // A reporting job logs in as its role: it cannot become the service role.
      await h.sql.exec(`alter role ${role('tz')} login`);
      const url = new URL(h.db.url);
      url.username = role('tz');
      url.password = '';
      const job = await openPostgres({ url: url.toString() });
      try {
        await t.rejects(job.query(`set role gongguan_scoped`), /permission denied/, 'a reporting role cannot set role gongguan_scoped');
        const { rows } = await job.query<{ id: string }>(`select project_id as id from reporting.projects where project_id like '%-p1' order by 1`);
        t.same(rows.map((r) => r.id), ['jj-p1', 'tz-p1'], 'the job sees its subtree\'s projects, none of other bureaus');
        await job.query(`select set_config('gongguan.bureau_path', '330000', false)`);
        t.equal(Number((await job.query<{ n: number }>(`select count(*)::int as n from reporting.projects`)).rows[0]?.n), legacyProjects + 2, 'nor more after setting the path');
        await t.rejects(job.query(`select reporting.create_bureau_role('x', '330000')`), /permission denied/, 'create_bureau_role is for administrators');
      } finally {
        await job.close();
      }
    }
  });
}
