/**
 * Bulk import (POST /v1/imports, services/lifecycle-api/src/import): a bureau's earlier records, as
 * CSV or .xlsx, each fact run through its command route as of its own date. A few hundred
 * historical projects import and then pass the full verification (hash chains, sealed log, and the
 * offline money verifier); the dry run writes nothing and names every bad row; the same file again
 * writes nothing; a run stopped between two facts (or between an append and its ledger row)
 * resumes to exactly the store a run straight through leaves. On PGlite and PostgreSQL.
 */
import t from 'tap';
import { auditApiService } from '@gongguan/audit-api';
import type { RecordedEvent } from '@gongguan/event-store';
import { START_POSITION } from '@gongguan/event-store';
import { verifyMoney } from '../scripts/verify-bundle-money.mjs';
import { parseFile, type ImportService } from '../services/lifecycle-api/src/import/service.js';
import { runFacts } from '../services/lifecycle-api/src/import/run.js';
import { historicalRecords, toCsv, toXlsx, type SampleRow } from '../services/lifecycle-api/src/import/sample.js';
import { caller } from './support/api.js';
import { databaseKinds, lifecycleService, startSystem, type RunningSystem } from './support/system.js';

// A few hundred projects on two databases take minutes on a loaded machine (about 8 with five test runs beside it).
t.setTimeout(1_800_000);

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

/** "A few hundred historical projects": two programmes (2018, 2019) of half each. */
const PROJECTS = Number(process.env.IMPORT_TEST_PROJECTS ?? 200);

async function everything(system: RunningSystem): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = START_POSITION;
  for (;;) {
    const page = await system.store.readAll({ after, limit: 10_000 });
    out.push(...page.events);
    after = page.position;
    if (page.caughtUp) return out;
  }
}

const file = (content: string | Buffer, dryRun: boolean, fileName = 'records.csv') => ({ fileName, content: Buffer.from(content).toString('base64'), dryRun });

interface RowError {
  sheet: string;
  line: number;
  column: string;
  code: string;
  message: string;
}
type Progress = { importId: string; status: string; total: number; done: number; errors: RowError[] };

async function finished(call: ReturnType<typeof caller>, token: string, importId: string, imports: ImportService): Promise<Progress> {
  await imports.running(importId);
  return (await call('GET', `/v1/imports/${importId}`, { token })).body as unknown as Progress;
}

/** The events as the store holds them, less the one thing a second run differs in: when it was recorded. */
const comparable = (events: readonly RecordedEvent[]) =>
  events
    .map(({ id, stream, revision, type, schemaVersion, data, metadata }) => {
      const { recordedAt: _recordedAt, ...meta } = metadata;
      return { id, stream, revision, type, schemaVersion, data, meta };
    })
    .sort((a, b) => a.stream.localeCompare(b.stream) || a.revision - b.revision);

for (const kind of kinds) {
  t.test(`${kind}: ${PROJECTS} historical projects imported, verified, imported again`, { timeout: 900_000 }, async (t) => {
    let imports: ImportService | undefined;
    const system = await startSystem(t, kind, [lifecycleService({ redriver: false, onImports: (s) => (imports = s) }), auditApiService]);
    const call = caller(system.url);
    const clerk = await system.token('officer', 'clerk-xu');
    const auditor = await system.token('auditor', 'audrey');
    const rows: SampleRow[] = historicalRecords({ years: [2018, 2019], perProgramme: PROJECTS / 2 });
    const csv = toCsv(rows);
    let clock = Date.now();
    const lap = (what: string) => {
      t.comment(`${kind} ${what}: ${((Date.now() - clock) / 1000).toFixed(1)} s`);
      clock = Date.now();
    };

    // The audit API writes its signing key's activation at start: everything else is the import's.
    const before = await everything(system);
    const dry = await call('POST', '/v1/imports', { token: clerk, body: file(csv, true) });
    lap('dry run');
    t.equal(dry.status, 200);
    t.same(dry.body.errors, [], 'no bad rows');
    t.equal(dry.body.rows, rows.length);
    t.equal(await system.eventCount(), before.length, 'the dry run wrote nothing');

    const started = await call('POST', '/v1/imports', { token: clerk, body: file(csv, false, 'taizhou-2018-2019.csv') });
    t.equal(started.status, 202);
    t.equal(started.headers.get('location'), `/v1/imports/${String(started.body.importId)}`);
    const done = await finished(call, clerk, String(started.body.importId), imports!);
    lap('import');
    t.equal(done.status, 'done', JSON.stringify(done.errors).slice(0, 2000));
    t.equal(done.done, done.total);

    const all = await everything(system);
    const events = all.slice(before.length);
    t.ok(events.length > PROJECTS * 20, `${events.length} events`);
    const unmarked = events.filter((e) => (e.metadata as { backRecorded?: { by: string; role: string } }).backRecorded?.by !== 'clerk-xu');
    t.same(unmarked.map((e) => `${e.stream}@${e.revision} ${e.type}`), [], 'every imported event is marked back-recorded by the clerk');
    t.ok(events.every((e) => typeof e.metadata.effectiveDate === 'string' && e.metadata.effectiveDate < e.metadata.recordedAt.slice(0, 10)), 'every event has its (past) effective date');
    t.ok(events.some((e) => e.type === 'DisbursementApproved' && e.metadata.actorId === 'liuyang'), 'facts are by the people the rows name');

    const verified = await call('GET', '/v1/audit/verify', { token: auditor });
    lap('verify');
    t.equal(verified.status, 200);
    t.equal(verified.body.ok, true, JSON.stringify(verified.body.problems ?? []).slice(0, 1000));
    t.equal(verified.body.events, all.length);
    const money = verifyMoney(all);
    t.same(money.failures, [], money.summary);
    t.equal(money.checked.r1Grants, PROJECTS, 'every R1 grant recomputed');
    t.equal(money.checked.r2Assessments, PROJECTS, 'every contract payment assessed');

    const project = (await call('GET', '/v1/projects/tz2018-001', { token: clerk })).body.state as Record<string, unknown>;
    t.match(project, { status: 'in_progress', stage: 'promotion', programmeId: 'tz-2018', submittedOn: '2018-05-02' });
    const programme = (await call('GET', '/v1/programmes/tz-2019', { token: clerk })).body.state as Record<string, unknown>;
    t.equal(programme.selectedCount, PROJECTS / 2);
    const ledger = (await call('GET', `/v1/subsidy-ledgers/r2/${rows.find((r) => r.kind === '项目')!.cells.leadCode}/2020`, { token: clerk })).body.state as Record<string, unknown>;
    t.match(ledger, { granted: 10_000_000 }, 'R2: 5% of 2,000,000 yuan, in fen');

    const xlsx = await toXlsx(rows);
    const again = await call('POST', '/v1/imports', { token: clerk, body: file(xlsx, false, 'taizhou-2018-2019.xlsx') });
    t.equal(again.status, 202);
    t.equal(again.body.importId, started.body.importId, 'the same records as a workbook are the same import');
    t.equal(again.body.status, 'done', 'already done');
    const dryAgain = await call('POST', '/v1/imports', { token: clerk, body: file(xlsx, true, 'taizhou-2018-2019.xlsx') });
    t.same(dryAgain.body.errors, [], 'a dry run of what is already imported finds every fact in place');
    t.equal(await system.eventCount(), all.length, 'importing it again wrote nothing');
  });

  t.test(`${kind}: a run stopped between facts, or after an append before its ledger row, resumes to the same store`, async (t) => {
    const rows = historicalRecords({ years: [2018], perProgramme: 4 });
    const csv = toCsv(rows);
    const parsed = await parseFile(Buffer.from(csv));

    let straight: ImportService | undefined;
    const a = await startSystem(t, kind, [lifecycleService({ redriver: false, onImports: (s) => (straight = s) })]);
    const callA = caller(a.url);
    const clerkA = await a.token('officer', 'clerk-xu');
    const runA = await callA('POST', '/v1/imports', { token: clerkA, body: file(csv, false) });
    t.equal((await finished(callA, clerkA, String(runA.body.importId), straight!)).status, 'done');

    let stopped: ImportService | undefined;
    const b = await startSystem(t, kind, [lifecycleService({ redriver: false, importLeaseSeconds: 0, onImports: (s) => (stopped = s) })]);
    const callB = caller(b.url);
    const clerkB = await b.token('officer', 'clerk-xu');
    const importer = { bureau: '331000', subject: 'clerk-xu', role: 'officer' as const };
    // A crash after the first 15 facts were appended but before the ledger recorded any of them.
    const head = await runFacts(stopped!.deps, { importer, facts: parsed.facts.slice(0, 15), dryRun: false });
    t.same(head.errors, []);
    const written = await b.eventCount();
    t.ok(written > 0);
    // A run stopped (as by a crash) between two facts, part way through.
    const stop = new AbortController();
    const { importId } = await stopped!.start(importer, 'records.csv', parsed.facts, { signal: stop.signal });
    for (let i = 0; i < 2000; i++) {
      const p = await stopped!.progress(importId);
      if (p!.done >= 25) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    stop.abort();
    await stopped!.running(importId);
    const part = await stopped!.progress(importId);
    t.equal(part!.status, 'running', 'a stopped run is left as it was');
    t.ok(part!.done > 0 && part!.done < parsed.facts.length, `stopped after ${part!.done} of ${parsed.facts.length} facts`);
    const resumed = await callB('POST', '/v1/imports', { token: clerkB, body: file(csv, false) });
    t.equal(resumed.status, 202);
    t.equal(resumed.body.importId, importId);
    t.equal((await finished(callB, clerkB, importId, stopped!)).status, 'done');
    t.same(comparable(await everything(b)), comparable(await everything(a)), 'the same events, ids and all, as the run straight through');
  });

  t.test(`${kind}: bad rows`, async (t) => {
    let imports: ImportService | undefined;
    const system = await startSystem(t, kind, [lifecycleService({ redriver: false, onImports: (s) => (imports = s) })]);
    const call = caller(system.url);
    const clerk = await system.token('officer', 'clerk-xu');
    const rows = historicalRecords({ years: [2018], perProgramme: 3 });
    const lineOf = (pick: (r: SampleRow) => boolean) => rows.findIndex(pick) + 2; // header on line 1
    const isProject = (id: string) => (r: SampleRow) => r.kind === '项目' && r.cells.projectId === id;
    const isR1 = (id: string) => (r: SampleRow) => r.kind === '付款' && r.cells.projectId === id && r.cells.paymentKind === 'R1资助';

    // Rule refusals only (every cell reads): the whole file is checked as of each date.
    const late = rows.find(isProject('tz2018-002'))!;
    late.cells.date = '2018-04-25'; // before the window opened on 2018-05-01
    const sameClerk = rows.find(isR1('tz2018-003'))!;
    sameClerk.cells.financeReviewer = sameClerk.cells.financeClerk; // four eyes
    const dry = await call('POST', '/v1/imports', { token: clerk, body: file(toCsv(rows), true) });
    t.equal(dry.status, 200);
    const errors = dry.body.errors as RowError[];
    t.match(errors[0], { line: lineOf(isProject('tz2018-002')), column: '日期', code: 'SOLICITATION_CLOSED' }, 'the late proposal, on its date');
    t.ok(errors.some((e) => e.line === lineOf(isR1('tz2018-003')) && e.column === '审核日期' && e.code === 'FOUR_EYES_VIOLATION'), 'the payment approved by its requester, on the approval date');
    const dependent = errors.filter((e) => e.code === 'DEPENDS_ON_REFUSED_ROW');
    t.equal(dependent.length, rows.filter((r) => r.cells.projectId === 'tz2018-002').length - 1, "every later row of the refused project is named as depending on it");
    t.match(dependent[0]!.message, /^依赖的第 \d+ 行未通过校验/);
    t.equal(await system.eventCount(), 0, 'the dry run wrote nothing');
    const refused = await call('POST', '/v1/imports', { token: clerk, body: file(toCsv(rows), false) });
    t.equal(refused.status, 202, 'the cells read: the run starts by checking every fact');
    const invalid = await finished(call, clerk, String(refused.body.importId), imports!);
    t.equal(invalid.status, 'invalid');
    t.same(invalid.errors, errors, 'the same bad rows');
    t.equal(await system.eventCount(), 0, 'an invalid file writes nothing');

    // Cells that do not read: named by line and column, and the real run refuses at once.
    const broken = historicalRecords({ years: [2018], perProgramme: 2 });
    broken.find(isProject('tz2018-001'))!.cells.requestedYuan = '12.345';
    broken.find((r) => r.kind === '评审' && r.cells.projectId === 'tz2018-002')!.cells.date = '2018-02-30';
    broken.find((r) => r.kind === '立项')!.cells.result = '也许';
    // A column the template does not have, after 类型: an empty cell in every row.
    const csv = toCsv(broken)
      .split('\r\n')
      .map((l, i) => (l === '' ? l : i === 0 ? l.replace('类型,', '类型,颜色,') : l.replace(/^([^,]*),/, '$1,,')))
      .join('\r\n');
    const bad = await call('POST', '/v1/imports', { token: clerk, body: file(csv, true) });
    const badRows = bad.body.errors as RowError[];
    t.same([...new Set(badRows.filter((e) => e.code === 'DEPENDS_ON_REFUSED_ROW').map((e) => e.message.replace(/ \(.*/, '')))].sort(), [`依赖的第 ${broken.findIndex((r) => r.kind === '评审' && r.cells.projectId === 'tz2018-002') + 2} 行未通过校验`, `依赖的第 ${broken.findIndex(isProject('tz2018-001')) + 2} 行未通过校验`], 'the later rows of both broken projects are named as depending on their first bad row');
    const listed = badRows.filter((e) => e.code !== 'DEPENDS_ON_REFUSED_ROW').map((e) => [e.line, e.column, e.code]);
    t.same(listed, [
      [1, '颜色', 'UNKNOWN_COLUMN'],
      [broken.findIndex(isProject('tz2018-001')) + 2, '申请资金（元）', 'INVALID_VALUE'],
      [broken.findIndex((r) => r.kind === '评审' && r.cells.projectId === 'tz2018-002') + 2, '日期', 'INVALID_VALUE'],
      [broken.findIndex((r) => r.kind === '立项') + 2, '结果', 'INVALID_VALUE'],
    ].sort((a, b) => Number(a[0]) - Number(b[0])));
    t.match(badRows.find((e) => e.column === '申请资金（元）')!.message, /精确到分以下/);
    const real = await call('POST', '/v1/imports', { token: clerk, body: file(csv, false) });
    t.equal(real.status, 422);
    t.equal(real.body.code, 'IMPORT_INVALID');
    t.equal((real.body.errors as RowError[]).length, 4);
    t.equal(await system.eventCount(), 0);

    // Another bureau's records: refused as the route refuses them; its import is not found.
    const good = await call('POST', '/v1/imports', { token: clerk, body: file(toCsv(historicalRecords({ years: [2018], perProgramme: 1 })), false) });
    t.equal((await finished(call, clerk, String(good.body.importId), imports!)).status, 'done');
    const hangzhou = await system.token('officer', 'clerk-hz', '330100');
    const intruding = historicalRecords({ years: [2018], perProgramme: 1 }).filter((r) => r.kind === '评审').map((r) => ({ ...r, cells: { ...r.cells, date: '2018-06-11' } }));
    const foreign = await call('POST', '/v1/imports', { token: hangzhou, body: file(toCsv(intruding), true) });
    // The body of a project that does not exist, as the review route answers another bureau.
    t.same((foreign.body.errors as RowError[]).map((e) => e.code), ['PROJECT_NOT_FOUND', 'DEPENDS_ON_REFUSED_ROW'], JSON.stringify(foreign.body.errors));
    t.equal((await call('GET', `/v1/imports/${String(good.body.importId)}`, { token: hangzhou })).status, 404, "another bureau's import is not found");
  });
}
