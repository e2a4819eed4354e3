import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { createSqlEventStore } from '@gongguan/event-store';
import { createHttpApp, createLogger, ensureDevKeys, keyResolver, readPrivateJwk, signToken } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels } from '@gongguan/projections';
import { reportingRoutes } from '../src/app.js';

const logger = createLogger({ level: 'silent' });
const keyDir = mkdtempSync(join(tmpdir(), 'gg-bureau-scope-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
const keys = await ensureDevKeys(keyDir);
const tokenOf = (bureau: string) => signToken(readPrivateJwk(keys.privateJwk), { subject: `reporter-${bureau}`, roles: ['reporter'], bureau });

/** The province, two cities and a county under each. */
const bureaus = [
  { id: 'zj', code: '330000', path: '330000' },
  { id: 'tz', code: '331000', path: '330000.331000' },
  { id: 'jj', code: '331002', path: '330000.331000.331002' },
  { id: 'hz', code: '330100', path: '330000.330100' },
  { id: 'sc', code: '330102', path: '330000.330100.330102' },
] as const;

async function generation(sql: SqlExecutor, name: string): Promise<string> {
  const { rows } = await sql.query<{ generation: number }>('select generation from projector.projections where name = $1', [name]);
  return `proj_${name}_g${rows[0]?.generation ?? 1}`;
}

/** A programme, a project with a milestone overdue on 2024-06-30, and a payment of 1,000 fen per bureau, written straight into the read models. */
async function writeRows(sql: SqlExecutor): Promise<void> {
  const p = await generation(sql, 'projects');
  const m = await generation(sql, 'money');
  for (const b of bureaus) {
    await sql.query(`insert into ${p}.bureaus (code, name, level, parent_code, path, merged_into, registered) values ($1, $2, 'x', null, $3, null, true)`, [b.code, b.id, b.path]);
    await sql.query(
      `insert into ${p}.programmes (programme_id, name, bureau, quota, launched_on, slots_taken, bureau_code, bureau_path) values ($1, $1, $1, 5, '2024-01-01', 0, $2, $3)`,
      [`${b.id}-prog`, b.code, b.path],
    );
    await sql.query(
      `insert into ${p}.projects (project_id, programme_id, title, industry, county, status, stage, suspended, submitted_on, requested_funding, approved_funding,
         milestones_total, milestones_accepted, rectifications_open, r1_awarded, r2_granted, r2_clawed_back, contracts, contract_amount, bank_paid, extension_months,
         start_on, end_on, bureau_code, bureau_path)
       values ($1, $2, $1, '泵业', '椒江区', 'in_progress', 'advancement', false, '2024-02-01', 100, 80, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, '2024-03-01', '2026-02-28', $3, $4)`,
      [`${b.id}-p1`, `${b.id}-prog`, b.code, b.path],
    );
    await sql.query(
      `insert into ${p}.milestones (milestone_key, project_id, milestone_id, title, due_on, status, returned_count, bureau_code, bureau_path)
       values ($1 || '/m1', $1, 'm1', '样机', '2024-05-01', 'pending', 0, $2, $3)`,
      [`${b.id}-p1`, b.code, b.path],
    );
    await sql.query(
      `insert into ${m}.money_movements (movement_id, position, disbursement_id, rule, project_id, payee_credit_code, kind, amount, on_date, year, bureau_code, bureau_path)
       values ($1, $1, $1, 'R1', $2, '91331000MA2AB12341', 'paid', 1000, '2024-03-01', 2024, $3, $4)`,
      [`${b.id}-mv`, `${b.id}-p1`, b.code, b.path],
    );
  }
}

interface Node {
  code: string;
  path: string;
  parentPath: string | null;
  own: Record<string, number | string>;
  subtotal: Record<string, number | string>;
}

/** Every subtotal is its own figures plus its children's subtotals; returns the first node where that fails. */
function subtotalsAddUp(nodes: readonly Node[]): string | undefined {
  for (const node of nodes) {
    for (const metric of Object.keys(node.subtotal)) {
      const children = nodes.filter((c) => c.parentPath === node.path);
      const expected = children.reduce((sum, c) => sum + BigInt(c.subtotal[metric] ?? 0), BigInt(node.own[metric] ?? 0));
      if (expected !== BigInt(node.subtotal[metric] ?? 0)) return `${node.path} ${metric}: ${String(node.subtotal[metric])} ≠ ${expected}`;
    }
  }
  return undefined;
}

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.test(`reads are scoped to the caller's bureau subtree on ${db.name}`, async (t) => {
    const sql = await db.open();
    const store = await createSqlEventStore({ sql });
    await ensureReadModels(sql, allProjections);
    const app = await createHttpApp({ logger, auth: { keys: keyResolver({ jwksFile: keys.jwks }) }, title: 'bureau scope test' });
    await reportingRoutes(app, { sql, clock: () => new Date('2024-06-30T04:00:00Z'), lastPosition: () => store.lastPosition(), maxWaitMs: 300 });
    await app.ready();
    t.teardown(async () => {
      await app.close();
      await store.close();
      await sql.close();
      await db.drop();
    });
    await writeRows(sql);
    const tokens = Object.fromEntries(await Promise.all(bureaus.map(async (b) => [b.id, await tokenOf(b.code)] as const)));
    const get = (url: string, who: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who] ?? ''}` } });
    const ids = async (url: string, who: string, key: string) => {
      const res = await get(url, who);
      t.equal(res.statusCode, 200, `${who} ${url}`);
      return res.json<{ items: Array<Record<string, string>> }>().items.map((i) => i[key]).sort();
    };
    const subtree = (who: string) => {
      const me = bureaus.find((b) => b.id === who);
      return bureaus.filter((b) => me !== undefined && (b.path === me.path || b.path.startsWith(`${me.path}.`))).map((b) => b.id);
    };

    t.test('two cities, a county under each and the province see their subtree in every list', async (t) => {
      for (const who of ['tz', 'hz', 'jj', 'sc', 'zj']) {
        const mine = subtree(who);
        t.same(await ids('/v1/reporting/programmes', who, 'programmeId'), mine.map((id) => `${id}-prog`).sort(), `${who}: programmes`);
        t.same(await ids('/v1/reporting/projects', who, 'projectId'), mine.map((id) => `${id}-p1`).sort(), `${who}: projects`);
        t.same(await ids('/v1/reporting/milestones', who, 'projectId'), mine.map((id) => `${id}-p1`).sort(), `${who}: milestones`);
        t.same(await ids('/v1/reporting/due?overdue=true', who, 'projectId'), mine.map((id) => `${id}-p1`).sort(), `${who}: overdue items`);
        t.same(await ids('/v1/reporting/money-movements', who, 'movementId'), mine.map((id) => `${id}-mv`).sort(), `${who}: money`);
        const csv = await get('/v1/reporting/exports/projects.csv', who);
        t.same(csv.body.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0]).sort(), mine.map((id) => `${id}-p1`).sort(), `${who}: CSV export`);
        const annual = (await get('/v1/reporting/annual?year=2024', who)).json<{ sections: { money: Array<{ amount: number }> }; overdue: { total: number } }>();
        t.same([annual.sections.money[0]?.amount, annual.overdue.total], [1000 * mine.length, mine.length], `${who}: the annual report`);
      }
    });

    t.test('one resource outside the subtree is 404, as a missing id', async (t) => {
      t.equal((await get('/v1/reporting/projects/jj-p1', 'tz')).statusCode, 200, 'a city reads its county\'s project');
      for (const [who, other] of [['tz', 'hz-p1'], ['hz', 'tz-p1'], ['jj', 'tz-p1'], ['jj', 'sc-p1'], ['sc', 'jj-p1'], ['tz', 'zj-p1']]) {
        const res = await get(`/v1/reporting/projects/${other}`, who ?? '');
        t.equal(res.statusCode, 404, `${who} → ${other}`);
        t.same(res.json<{ code: string }>().code, (await get('/v1/reporting/projects/no-such-project', who ?? '')).json<{ code: string }>().code, 'the same answer as an id that does not exist');
      }
    });

    t.test('roll-ups by bureau: the caller\'s subtree, subtotals up the tree', async (t) => {
      const money = (await get('/v1/reporting/bureaus/money?year=2024', 'zj')).json<{ scope: string; bureaus: Node[] }>();
      t.equal(money.scope, '330000');
      t.same(money.bureaus.map((b) => [b.code, b.own.paid, b.subtotal.paid]), [
        ['330000', 1000, 5000],
        ['330100', 1000, 2000],
        ['330102', 1000, 1000],
        ['331000', 1000, 2000],
        ['331002', 1000, 1000],
      ]);
      t.equal(subtotalsAddUp(money.bureaus), undefined, 'every subtotal is its own figures plus its children\'s subtotals');
      const tz = (await get('/v1/reporting/bureaus/portfolio', 'tz')).json<{ bureaus: Node[] }>();
      t.same(tz.bureaus.map((b) => [b.code, b.parentPath, b.own.projects, b.subtotal.projects, b.subtotal.approvedFunding]), [
        ['331000', null, 1, 2, 160],
        ['331002', '330000.331000', 1, 1, 80],
      ], 'a city sees itself and its county, nothing above or beside');
      const due = (await get('/v1/reporting/bureaus/due?asOf=2024-06-30', 'hz')).json<{ asOf: string; bureaus: Node[] }>();
      t.same([due.asOf, due.bureaus.map((b) => [b.code, b.subtotal.milestonesOverdue])], ['2024-06-30', [['330100', 2], ['330102', 1]]]);
      const jj = (await get('/v1/reporting/bureaus/money', 'jj')).json<{ bureaus: Node[] }>();
      t.same(jj.bureaus.map((b) => b.code), ['331002'], 'a county sees only itself');
      const csv = await get('/v1/reporting/bureaus/money.csv?year=2024', 'tz');
      t.equal(csv.statusCode, 200);
      t.match(csv.body, /331000,tz,x,330000\.331000,,1,1000/);
    });

    t.test('property: every subtotal is its own rows plus its children\'s subtotals, whatever the money', async (t) => {
      const m = await generation(sql, 'money');
      const paths = bureaus.map((b) => b.path);
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ path: fc.constantFrom(...paths), amount: fc.bigInt({ min: 1n, max: 2n ** 60n }), kind: fc.constantFrom('paid', 'reversed', 'clawed_back') }), { maxLength: 25 }),
          fc.constantFrom('zj', 'tz', 'hz', 'jj'),
          async (rows, who) => {
            await sql.query(`delete from ${m}.money_movements`);
            for (const [i, r] of rows.entries()) {
              await sql.query(
                `insert into ${m}.money_movements (movement_id, position, disbursement_id, rule, project_id, payee_credit_code, kind, amount, on_date, year, bureau_code, bureau_path)
                 values ($1, $1, $1, 'R2', null, '91331000MA2AB12341', $2, $3::bigint, '2024-03-01', 2024, $4, $5)`,
                [`r-${i}`, r.kind, r.amount.toString(), r.path.slice(-6), r.path],
              );
            }
            const res = (await get('/v1/reporting/bureaus/money', who)).json<{ scope: string; bureaus: Node[] }>();
            const problem = subtotalsAddUp(res.bureaus);
            if (problem !== undefined) throw new Error(problem);
            const root = res.bureaus.find((b) => b.parentPath === null);
            const inScope = rows.filter((r) => r.path === res.scope || r.path.startsWith(`${res.scope}.`));
            const net = inScope.reduce((s, r) => s + (r.kind === 'paid' ? r.amount : -r.amount), 0n);
            if (BigInt(root?.subtotal.net ?? 0) !== net) throw new Error(`root net ${String(root?.subtotal.net)} ≠ ${net}`);
            if (res.bureaus.some((b) => !(b.path === res.scope || b.path.startsWith(`${res.scope}.`)))) throw new Error('a bureau outside the scope');
          },
        ),
        { numRuns: Number(process.env.ROLLUP_RUNS ?? 25) },
      );
      t.pass('subtotals add up');
    });
  });
}
