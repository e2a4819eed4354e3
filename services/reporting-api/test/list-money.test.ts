import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { createSqlEventStore } from '@gongguan/event-store';
import { createHttpApp, createLogger, ensureDevKeys, keyResolver, readPrivateJwk, signToken } from '@gongguan/platform';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { allProjections, ensureReadModels } from '@gongguan/projections';
import { reportingRoutes } from '../src/app.js';

/** List routes and CSV exports send every amount of fen exactly: a JSON integer while safe, the digits beyond 2^53 − 1. */
const logger = createLogger({ level: 'silent' });
const keyDir = mkdtempSync(join(tmpdir(), 'gg-list-money-'));
t.teardown(() => rmSync(keyDir, { recursive: true, force: true }));
const keys = await ensureDevKeys(keyDir);
const reporter = await signToken(readPrivateJwk(keys.privateJwk), { subject: 'reporter-1', roles: ['reporter'] });

const twoTo53 = '9007199254740992'; // 2^53: not a safe integer either (2^53 + 1 parses to it)
const above = '9007199254740993'; // 2^53 + 1: no double has it, JSON.parse gives 9007199254740992
const largest = '9223372036854775807'; // the largest bigint

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.test(`list money is exact beyond 2^53 on ${db.name}`, async (t) => {
    const sql = await db.open();
    const store = await createSqlEventStore({ sql });
    await ensureReadModels(sql, allProjections);
    const app = await createHttpApp({ logger, auth: { keys: keyResolver({ jwksFile: keys.jwks }) }, title: 'list money test' });
    await reportingRoutes(app, { sql, clock: () => new Date('2025-06-30T04:00:00Z'), lastPosition: () => store.lastPosition(), maxWaitMs: 300 });
    await app.ready();
    t.teardown(async () => {
      await app.close();
      await store.close();
      await sql.close();
      await db.drop();
    });
    await sql.query(
      `insert into reporting.money_movements (movement_id, position, disbursement_id, rule, project_id, payee_credit_code, kind, amount, on_date, year, bureau_code, bureau_path)
       values ('mv-1', '01', 'd-1', 'R2', 'p-1', '91331000MA2AB12341', 'paid', $1::bigint, '2024-03-01', 2024, '331000', '330000.331000'),
              ('mv-2', '02', 'd-2', 'R2', 'p-1', '91331000MA2AB12341', 'paid', 7, '2024-03-02', 2024, '331000', '330000.331000'),
              ('mv-3', '03', 'd-3', 'R2', 'p-1', '91331000MA2AB12341', 'reversed', $2::bigint, '2024-03-03', 2024, '331000', '330000.331000'),
              ('mv-4', '04', 'd-4', 'R2', 'p-1', '91331000MA2AB12341', 'reversed', -$1::bigint, '2024-03-04', 2024, '331000', '330000.331000')`,
      [above, largest],
    );
    await sql.query(
      `insert into reporting.disbursements (disbursement_id, rule, payee_name, payee_credit_code, project_id, basis, amount, status, requested_by, requested_on, bureau_code, bureau_path)
       values ('d-a', 'R2', '台州泵业有限公司', '91331000MA2AB12341', 'p-1', 'ledger', $1::bigint, 'requested', 'finance-1', '2024-03-01', '331000', '330000.331000'),
              ('d-b', 'R2', '台州泵业有限公司', '91331000MA2AB12341', 'p-1', 'ledger', $2::bigint, 'requested', 'finance-1', '2024-03-01', '331000', '330000.331000'),
              ('d-c', 'R2', '台州泵业有限公司', '91331000MA2AB12341', 'p-1', 'ledger', 5, 'requested', 'finance-1', '2024-03-01', '331000', '330000.331000')`,
      [above, twoTo53],
    );
    const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${reporter}` } });

    const list = await get('/v1/reporting/money-movements');
    t.equal(list.statusCode, 200, 'the list answers');
    const items = list.json<{ items: Array<{ movementId: string; amount: unknown }> }>().items;
    t.strictSame(
      items.map((i) => [i.movementId, i.amount]),
      [
        ['mv-1', above],
        ['mv-2', 7],
        ['mv-3', largest],
        ['mv-4', `-${above}`],
      ],
      'beyond 2^53 − 1 the exact digits as a string; a safe amount stays a JSON integer',
    );

    const csv = await get('/v1/reporting/exports/money-movements.csv');
    t.equal(csv.statusCode, 200);
    const lines = csv.body.trimEnd().split('\r\n');
    const amountAt = (lines[0] ?? '').split(',').indexOf('amount');
    t.strictSame(
      lines.slice(1).map((l) => l.split(',')[amountAt]),
      [above, '7', largest, `-${above}`],
      'the CSV has the exact digits, as numbers (a negative amount is not taken for a formula)',
    );

    const seen: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`/v1/reporting/disbursements?sort=amount&order=desc&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      t.equal(page.statusCode, 200, 'a page of disbursements');
      const body = page.json<{ items: Array<{ disbursementId: string; amount: unknown }>; nextCursor: string | null }>();
      seen.push(...body.items.map((i) => [i.disbursementId, i.amount]));
      cursor = body.nextCursor;
    } while (cursor !== null && seen.length < 10);
    t.strictSame(
      seen,
      [
        ['d-a', above],
        ['d-b', twoTo53],
        ['d-c', 5],
      ],
      'sorted by amount and paged by a cursor that holds the exact amount: 2^53 + 1 and 2^53 stay two rows',
    );
  });
}
