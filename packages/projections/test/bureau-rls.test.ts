import { randomBytes } from 'node:crypto';
import t from 'tap';
import { openPostgres, type Sql, type SqlExecutor } from '@gongguan/platform/db';
import { allProjections, rebuildProjections } from '../src/index.js';
import { loadProvince } from '../src/generate/load.js';
import { count, databases, projectToHead, silent } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

/** Rows of four bureaus written straight into the live tables: the province, Taizhou, its county Jiaojiang, Hangzhou. */
export async function writeBureauRows(sql: SqlExecutor): Promise<void> {
  const { rows } = await sql.query<{ name: string; generation: number }>('select name, generation from projector.projections');
  const g = (name: string) => `proj_${name}_g${rows.find((r) => r.name === name)?.generation ?? 1}`;
  const bureaus = [
    ['zj', '330000', '330000'],
    ['tz', '331000', '330000.331000'],
    ['jj', '331002', '330000.331000.331002'],
    ['hz', '330100', '330000.330100'],
  ] as const;
  for (const [id, code, path] of bureaus) {
    await sql.query(
      `insert into ${g('projects')}.programmes (programme_id, name, bureau, quota, launched_on, slots_taken, bureau_code, bureau_path)
       values ($1, $1, $1, 5, '2024-01-01', 0, $2, $3)`,
      [`${id}-prog`, code, path],
    );
    await sql.query(
      `insert into ${g('projects')}.projects (project_id, programme_id, title, industry, county, status, stage, suspended, submitted_on, requested_funding,
         milestones_total, milestones_accepted, rectifications_open, r1_awarded, r2_granted, r2_clawed_back, contracts, contract_amount, bank_paid, extension_months, bureau_code, bureau_path)
       values ($1, $2, $1, '泵业', '椒江区', 'in_progress', 'advancement', false, '2024-02-01', 100, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, $3, $4)`,
      [`${id}-p1`, `${id}-prog`, code, path],
    );
    await sql.query(
      `insert into ${g('money')}.money_movements (movement_id, position, disbursement_id, rule, project_id, payee_credit_code, kind, amount, on_date, year, bureau_code, bureau_path)
       values ($1, $1, $1, 'R1', $2, '91331000MA2AB12341', 'paid', 1000, '2024-03-01', 2024, $3, $4)`,
      [`${id}-mv`, `${id}-p1`, code, path],
    );
    await sql.query(
      `insert into ${g('projects')}.bureaus (code, name, level, parent_code, path, merged_into, registered) values ($1, $2, 'x', null, $3, null, true)
       on conflict (code) do nothing`,
      [code, id, path],
    );
  }
}

/** What `role` sees, in one transaction as that role; `setting` tries to widen the scope through the GUC. */
async function seenAs(sql: Sql, role: string, setting?: string) {
  return sql.transaction(async (tx) => {
    await tx.query(`select set_config('role', $1, true)`, [role]);
    if (setting !== undefined) await tx.query(`select set_config('gongguan.bureau_path', $1, true)`, [setting]);
    const ids = async (text: string) => (await tx.query<{ id: string }>(text)).rows.map((r) => r.id).sort();
    return {
      programmes: await ids(`select programme_id as id from reporting.programmes where programme_id like '%-prog'`),
      projects: await ids(`select project_id as id from reporting.projects_as_of('2024-06-30') where project_id like '%-p1'`),
      money: await ids(`select movement_id as id from reporting.money_movements where movement_id like '%-mv'`),
      bureaus: await ids(`select code as id from reporting.bureaus`),
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
    // Some legacy facts (all Taizhou's) through the projector, then rows of other bureaus.
    await loadProvince(h.store, { projects: 6, seed: 5 });
    const projector = await projectToHead(h);
    await projector.stop();
    const legacyProjects = await count(h.sql, 'reporting.projects');
    await writeBureauRows(h.sql);

    await h.sql.query(`select reporting.create_bureau_role($1, '331000')`, [role('tz')]);
    await h.sql.query(`select reporting.create_bureau_role($1, '331002')`, [role('jj')]);
    await h.sql.query(`select reporting.create_bureau_role($1, '330000')`, [role('zj')]);
    await h.sql.query(`select reporting.create_bureau_role($1, '331002')`, [role('jj')]);
    t.pass('create_bureau_role is idempotent');
    await h.sql.exec(`create role ${role('other')} nologin; grant gongguan_bureau_reader to ${role('other')}`);

    const tz = await seenAs(h.sql, role('tz'));
    t.same(tz.programmes, ['jj-prog', 'tz-prog'], 'Taizhou sees its programme and its county\'s');
    t.same(tz.projects, ['jj-p1', 'tz-p1']);
    t.same(tz.money, ['jj-mv', 'tz-mv']);
    t.same(tz.bureaus, ['331000', '331002']);
    t.equal(tz.allProjects, legacyProjects + 2, 'and every legacy project');
    const jj = await seenAs(h.sql, role('jj'));
    t.same([jj.programmes, jj.projects, jj.money, jj.bureaus], [['jj-prog'], ['jj-p1'], ['jj-mv'], ['331002']], 'Jiaojiang sees only its own');
    const zj = await seenAs(h.sql, role('zj'));
    t.same(zj.programmes, ['hz-prog', 'jj-prog', 'tz-prog', 'zj-prog'], 'the province sees all');
    t.equal(zj.allProjects, legacyProjects + 4);

    t.same(await seenAs(h.sql, role('jj'), '330000'), jj, 'a reporting role cannot widen its scope by setting gongguan.bureau_path');
    const other = await seenAs(h.sql, role('other'), '330000');
    t.same([other.programmes, other.projects, other.money, other.allProjects], [[], [], [], 0], 'a role not mapped to a bureau sees nothing');
    const scopedNone = await seenAs(h.sql, 'gongguan_scoped');
    t.same([scopedNone.programmes, scopedNone.allProjects], [[], 0], 'gongguan_scoped without gongguan.bureau_path sees nothing');
    const scopedHz = await seenAs(h.sql, 'gongguan_scoped', '330000.330100');
    t.same([scopedHz.programmes, scopedHz.projects, scopedHz.money], [['hz-prog'], ['hz-p1'], ['hz-mv']], 'gongguan_scoped sees the subtree of its setting');
    const scopedPrefix = await seenAs(h.sql, 'gongguan_scoped', '330000.33100');
    t.same(scopedPrefix.programmes, [], 'a path is matched by whole codes, not by text prefix');

    await h.sql.query(`select reporting.create_bureau_role($1, '330100')`, [role('jj')]);
    t.same((await seenAs(h.sql, role('jj'))).programmes, ['hz-prog'], 'calling it again re-maps the role');
    await t.rejects(h.sql.query(`select reporting.create_bureau_role($1, '33100')`, [role('jj')]), /6-digit/, 'a bad code is refused');

    // A rebuild makes new tables: they have row-level security too.
    await rebuildProjections({ sql: h.sql, store: h.store, projections: allProjections, logger: silent });
    const { rows: unprotected } = await h.sql.query<{ t: string }>(
      `select n.nspname || '.' || c.relname as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname like 'proj\\_%\\_g2' and c.relkind = 'r' and not c.relrowsecurity
          and exists (select from pg_attribute a where a.attrelid = c.oid and a.attname in ('bureau_path', 'path') and not a.attisdropped)`,
    );
    t.same(unprotected, [], 'every bureau-scoped table of the rebuilt generation has row-level security');
    t.equal((await seenAs(h.sql, role('tz'))).allProjects, legacyProjects, 'after the rebuild Taizhou sees the legacy projects');
    t.equal((await seenAs(h.sql, role('jj'))).allProjects, 0, 'and Hangzhou none of them');

    if (h.db.name === 'postgres' && h.db.url !== undefined) {
      // A reporting job logs in as its role: it cannot become the service role.
      await h.sql.exec(`alter role ${role('tz')} login`);
      const url = new URL(h.db.url);
      url.username = role('tz');
      url.password = '';
      const job = await openPostgres({ url: url.toString() });
      try {
        await t.rejects(job.query(`set role gongguan_scoped`), /permission denied/, 'a reporting role cannot set role gongguan_scoped');
        const { rows } = await job.query<{ n: number }>(`select count(*)::int as n from reporting.projects where project_id like '%-p1'`);
        t.equal(rows[0]?.n, 0, 'after the rebuild the hand-written rows are gone; the job sees none of other bureaus');
        await job.query(`select set_config('gongguan.bureau_path', '330000', false)`);
        t.equal(Number((await job.query<{ n: number }>(`select count(*)::int as n from reporting.projects`)).rows[0]?.n), legacyProjects, 'nor more after setting the path');
        await t.rejects(job.query(`select reporting.create_bureau_role('x', '330000')`), /permission denied/, 'create_bureau_role is for administrators');
      } finally {
        await job.close();
      }
    }
  });
}
