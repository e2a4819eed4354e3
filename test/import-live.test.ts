/**
 * An imported (back-recorded) history and the same facts recorded live, each on its day, fold to
 * the same states: fast-check generates Taizhou histories (projects approved or rejected, R1 paid or
 * not, contracts paid above or below the R2 threshold, the R2 subsidy paid or not), one system takes
 * them as an import file, the other command by command over HTTP with its business clock set to
 * each fact's day, and every project, programme, disbursement and R2 ledger compares equal.
 */
import fc from 'fast-check';
import t from 'tap';
import { effectiveInstant } from '../services/lifecycle-api/src/commands/back-record.js';
import { parseFile, type ImportService } from '../services/lifecycle-api/src/import/service.js';
import { historicalRecords, toCsv, type SampleRow } from '../services/lifecycle-api/src/import/sample.js';
import { caller } from './support/api.js';
import { lifecycleService, startSystem, testClock } from './support/system.js';

t.setTimeout(900_000);

interface Choice {
  rejected: boolean;
  r1: boolean;
  contract: boolean;
  /** Yuan, bank-paid (of a 2,000,000-yuan contract): below or above the R2 threshold of 1,000,000. */
  paid: number;
  r2: boolean;
  score: number;
}

const choice: fc.Arbitrary<Choice> = fc.record({
  rejected: fc.boolean(),
  r1: fc.boolean(),
  contract: fc.boolean(),
  paid: fc.integer({ min: 500_000, max: 2_000_000 }), // the contract is 2,000,000 yuan
  r2: fc.boolean(),
  score: fc.integer({ min: 0, max: 100 }),
});

/** The sample history of one year, cut and changed as the choices say; ids and bank references of run `run`. */
function history(run: number, year: number, choices: readonly Choice[]): string {
  const rows = historicalRecords({ years: [year], perProgramme: choices.length, enterpriseBase: run * 10 });
  const kept: SampleRow[] = [];
  for (const row of rows) {
    const index = row.cells.projectId ? Number(row.cells.projectId.slice(-3)) - 1 : -1;
    const c = choices[index];
    if (c) {
      if (row.kind === '评审' && row.cells.score) row.cells.score = String(c.score);
      if (c.rejected && ['任务书', '节点', '阶段', '合同', '付款'].includes(row.kind)) continue;
      if (c.rejected && row.kind === '立项') Object.assign(row.cells, { result: '不予立项', note: '专家评分排名靠后' });
      if (row.kind === '付款' && row.cells.paymentKind === 'R1资助' && !c.r1) continue;
      if (!c.contract && ['合同', '付款'].includes(row.kind) && row.cells.paymentKind !== 'R1资助') continue;
      if (row.kind === '付款' && row.cells.paymentKind === '合同付款') row.cells.amountYuan = c.paid.toLocaleString('en-US');
      if (row.kind === '付款' && row.cells.paymentKind === 'R2补助' && !(c.r2 && c.paid >= 1_000_000)) continue;
    }
    kept.push(row);
  }
  return toCsv(kept).replaceAll(`tz-${year}`, `r${run}-tz-${year}`).replaceAll(`tz${year}-`, `r${run}x${year}-`).replaceAll('ICBC-', `R${run}-ICBC-`);
}

t.test('pglite: an imported history folds to the same states as the same facts recorded live', { timeout: 900_000 }, async (t) => {
  const clock = testClock('2018-04-20T02:00:00Z');
  const live = await startSystem(t, 'pglite', [lifecycleService({ env: clock.env, redriver: false })]);
  let imports: ImportService | undefined;
  const imported = await startSystem(t, 'pglite', [lifecycleService({ redriver: false, onImports: (s) => (imports = s) })]);
  const callLive = caller(live.url);
  const callImported = caller(imported.url);
  const clerk = await imported.token('officer', 'clerk-xu');
  const reader = await live.token('auditor', 'audrey');
  const readerImported = await imported.token('auditor', 'audrey');
  const tokens = new Map<string, string>();
  const token = async (id: string, role: string) => {
    const key = `${id}|${role}`;
    if (!tokens.has(key)) tokens.set(key, await live.token(role as 'officer', id));
    return tokens.get(key)!;
  };
  let run = 0;

  await fc.assert(
    fc.asyncProperty(fc.constantFrom(2018, 2019), fc.array(choice, { minLength: 1, maxLength: 3 }), async (year, choices) => {
      run++;
      const csv = history(run, year, choices);
      const parsed = await parseFile(Buffer.from(csv));
      if (parsed.errors.length > 0) throw new Error(JSON.stringify(parsed.errors));

      // Live: each fact on its day, by its person, with no Effective-Date.
      for (const fact of parsed.facts) {
        clock.set(effectiveInstant(fact.on, new Date()));
        const path = fact.url.replace(/:([A-Za-z]+)/g, (_m, name: string) => fact.params[name]!);
        const res = await callLive('POST', path, { token: await token(fact.actor.id, fact.actor.role), body: fact.body });
        if (res.status >= 300) throw new Error(`live ${path} on ${fact.on}: ${res.status} ${JSON.stringify(res.body)}`);
      }
      // Imported: the file, back-recorded.
      const started = await callImported('POST', '/v1/imports', { token: clerk, body: { fileName: `run-${run}.csv`, content: Buffer.from(csv).toString('base64'), dryRun: false } });
      await imports!.running(String(started.body.importId));
      const done = await callImported('GET', `/v1/imports/${String(started.body.importId)}`, { token: clerk });
      if (done.body.status !== 'done') throw new Error(JSON.stringify(done.body));

      const paths = new Set<string>();
      for (const fact of parsed.facts) {
        if (fact.params.programmeId) paths.add(`/v1/programmes/${fact.params.programmeId}`);
        if (fact.params.projectId) paths.add(`/v1/projects/${fact.params.projectId}`);
        const disbursementId = fact.params.disbursementId ?? (fact.body.disbursementId as string | undefined);
        if (disbursementId) paths.add(`/v1/disbursements/${disbursementId}`);
        const entitlement = fact.body.entitlement as { creditCode: string; year: number } | undefined;
        if (entitlement) paths.add(`/v1/subsidy-ledgers/r2/${entitlement.creditCode}/${entitlement.year}`);
      }
      for (const path of paths) {
        const [a, b] = await Promise.all([callLive('GET', path, { token: reader }), callImported('GET', path, { token: readerImported })]);
        if (a.status !== 200 || JSON.stringify(a.body) !== JSON.stringify(b.body)) {
          t.same(b.body, a.body, `${path} differs`);
          return false;
        }
      }
      return true;
    }),
    { numRuns: Number(process.env.IMPORT_LIVE_RUNS ?? 6), seed: Number(process.env.IMPORT_LIVE_SEED ?? 20181001) },
  );
  t.pass(`${run} generated histories compared`);
});
