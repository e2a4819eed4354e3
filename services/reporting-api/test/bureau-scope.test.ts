import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { createSqlEventStore } from '@gongguan/event-store';
import { createHttpApp, createLogger, ensureDevKeys, keyResolver, readPrivateJwk, signToken } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels, startProjector } from '@gongguan/projections';
import { bureauStories, seededRandom, storyBureaus, World } from '@gongguan/projections/generate';
import { reportingRoutes } from '../src/app.js';
import { caughtUp } from './caught-up.js';

const logger = createLogger({ level: 'silent' });
const keyDir = mkdtempSync(join(tmpdir(), 'gg-bureau-scope-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
const keys = await ensureDevKeys(keyDir);
const tokenOf = (bureau: string) => signToken(readPrivateJwk(keys.privateJwk), { subject: `reporter-${bureau}`, roles: ['reporter'], bureau });

/** The province, two cities and a county under each (`storyBureaus`), with the paths the registry gives them. */
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
    // The registry and a year of each bureau (a programme, a project with a milestone overdue on
    // 2024-06-30, R1, R2 and R3 money paid), decided by the domain and projected by the projector.
    t.same(storyBureaus.map((b) => b.code), bureaus.map((b) => b.code));
    const { appends, results } = bureauStories(new World(seededRandom(3)));
    for (const a of appends) await store.append(a.stream, a.events, { expectedRevision: a.expectedRevision });
    const projector = startProjector({ sql, store, projections: allProjections, logger });
    const app = await createHttpApp({ logger, auth: { keys: keyResolver({ jwksFile: keys.jwks }) }, title: 'bureau scope test' });
    await reportingRoutes(app, { sql, clock: () => new Date('2024-06-30T04:00:00Z'), lastPosition: () => store.lastPosition(), maxWaitMs: 300 });
    await app.ready();
    t.teardown(async () => {
      await projector.stop();
      await app.close();
      await store.close();
      await sql.close();
      await db.drop();
    });
    await caughtUp(sql, store);
    const paid = results.zj?.paid ?? 0;
    t.ok(paid > 0 && bureaus.every((b) => results[b.id]?.paid === paid), 'every bureau paid the same R1 grant and subsidies');
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
        t.same(await ids('/v1/reporting/disbursements', who, 'disbursementId'), mine.flatMap((id) => [`r1-${id}-p1`, `r2-${id}`, `r3-${id}`]).sort(), `${who}: disbursements (R3's without a project: its ledger's bureau)`);
        t.same(await ids('/v1/reporting/money-movements', who, 'disbursementId'), mine.flatMap((id) => [`r1-${id}-p1`, `r2-${id}`, `r3-${id}`]).sort(), `${who}: money`);
        t.same(await ids('/v1/reporting/subsidies/enterprises', who, 'ledger'), mine.map((id) => results[id]?.r2Ledger).sort(), `${who}: R2 ledgers, one per bureau for the same enterprise`);
        t.same(await ids('/v1/reporting/subsidies/institutions', who, 'ledger'), mine.map((id) => results[id]?.r3Ledger).sort(), `${who}: R3 ledgers`);
        const csv = await get('/v1/reporting/exports/projects.csv', who);
        t.same(csv.body.trimEnd().split('\r\n').slice(1).map((l) => l.split(',')[0]).sort(), mine.map((id) => `${id}-p1`).sort(), `${who}: CSV export`);
        const annual = (await get('/v1/reporting/annual?year=2024', who)).json<{ sections: { money: Array<{ key: string; amount: number }> }; overdue: { total: number } }>();
        const paidIn = annual.sections.money.filter((m) => m.key === 'paid').reduce((sum, m) => sum + m.amount, 0);
        t.same([paidIn, annual.overdue.total], [paid * mine.length, mine.length], `${who}: the annual report`);
      }
    });

    t.test("a city's project names its applicant's county bureau, and the list filters by it", async (t) => {
      const res = await get('/v1/reporting/projects?countyCode=331002', 'tz');
      t.equal(res.statusCode, 200);
      const items = res.json<{ items: Array<{ projectId: string; countyCode: string | null; bureauCode: string }> }>().items;
      t.same(items.map((i) => [i.projectId, i.bureauCode, i.countyCode]), [['tz-p1', '331000', '331002']], "Taizhou's project from Jiaojiang (jj-p1 is Jiaojiang's own programme's, not a city project)");
      t.same((await ids('/v1/reporting/projects?countyCode=331002', 'hz', 'projectId')), [], 'Hangzhou sees none of it');
      const bad = await get('/v1/reporting/projects?countyCode=Jiaojiang', 'tz');
      t.equal(bad.statusCode, 400, 'a county code that is not a GB/T 2260 code is refused');
      t.match(bad.json(), { code: 'VALIDATION_FAILED', errors: [{ path: 'querystring.countyCode' }] });
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
        ['330000', paid, 5 * paid],
        ['330100', paid, 2 * paid],
        ['330102', paid, paid],
        ['331000', paid, 2 * paid],
        ['331002', paid, paid],
      ]);
      t.equal(subtotalsAddUp(money.bureaus), undefined, 'every subtotal is its own figures plus its children\'s subtotals');
      const tz = (await get('/v1/reporting/bureaus/portfolio', 'tz')).json<{ bureaus: Node[] }>();
      t.same(tz.bureaus.map((b) => [b.code, b.parentPath, b.own.projects, b.subtotal.projects, b.subtotal.approvedFunding]), [
        ['331000', null, 1, 2, 400_000_000],
        ['331002', '330000.331000', 1, 1, 200_000_000],
      ], 'a city sees itself and its county, nothing above or beside');
      const due = (await get('/v1/reporting/bureaus/due?asOf=2024-06-30', 'hz')).json<{ asOf: string; bureaus: Node[] }>();
      t.same([due.asOf, due.bureaus.map((b) => [b.code, b.subtotal.milestonesOverdue])], ['2024-06-30', [['330100', 2], ['330102', 1]]]);
      const jj = (await get('/v1/reporting/bureaus/money', 'jj')).json<{ bureaus: Node[] }>();
      t.same(jj.bureaus.map((b) => b.code), ['331002'], 'a county sees only itself');
      const csv = await get('/v1/reporting/bureaus/money.csv?year=2024', 'tz');
      t.equal(csv.statusCode, 200);
      t.match(csv.body, new RegExp(`\\r\\n331000,台州市科学技术局,city,330000\\.331000,,3,${paid},`), 'the registry\'s name and level, three movements');
    });

    // Last (it replaces the money rows): the roll-up's arithmetic over arbitrary rows of the
    // registered bureaus, with amounts beyond what any event may carry (exact beyond 2^53).
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
