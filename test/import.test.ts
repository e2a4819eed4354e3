/**
 * Bulk import (POST /v1/imports, src/import): a bureau's earlier records, as CSV or .xlsx, run
 * through the command routes as of each fact's own date. Dry run writes nothing and lists every bad
 * row; a real run is idempotent, resumable, and leaves a store that passes the full verification.
 */
import t from 'tap';
import type { RecordedEvent } from '@gongguan/event-store';
import { START_POSITION } from '@gongguan/event-store';
import type { ImportService } from '../services/lifecycle-api/src/import/service.js';
import { historicalRecords, toCsv, toXlsx, type SampleRow } from '../services/lifecycle-api/src/import/sample.js';
import { caller } from './support/api.js';
import { databaseKinds, lifecycleService, startSystem, type RunningSystem } from './support/system.js';

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

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

const file = (content: string | Buffer, dryRun: boolean, fileName = 'records.csv') => ({
  fileName,
  content: Buffer.from(content).toString('base64'),
  dryRun,
});

type Progress = { importId: string; status: string; total: number; done: number; errors: Array<{ line: number; column: string; code: string; message: string }> };

async function untilFinished(call: ReturnType<typeof caller>, token: string, importId: string): Promise<Progress> {
  for (let i = 0; i < 1200; i++) {
    const res = await call('GET', `/v1/imports/${importId}`, { token });
    const body = res.body as unknown as Progress;
    if (['done', 'invalid', 'failed'].includes(body.status)) return body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`import ${importId} did not finish`);
}

for (const kind of kinds) {
  t.test(`${kind}: a small historical file, CSV and .xlsx`, async (t) => {
    let imports: ImportService | undefined;
    const system = await startSystem(t, kind, [lifecycleService({ redriver: false, onImports: (s) => (imports = s) })]);
    const call = caller(system.url);
    const clerk = await system.token('officer', 'clerk-xu');
    const rows: SampleRow[] = historicalRecords({ years: [2018], perProgramme: 3, quota: 10 });
    const csv = toCsv(rows);

    let clock = Date.now();
    const lap = (what: string) => {
      t.comment(`${what}: ${Date.now() - clock} ms`);
      clock = Date.now();
    };
    const dry = await call('POST', '/v1/imports', { token: clerk, body: file(csv, true) });
    lap('dry run');
    t.equal(dry.status, 200, JSON.stringify(dry.body).slice(0, 2000));
    t.same(dry.body.errors, [], 'no bad rows');
    t.equal(await system.eventCount(), 0, 'the dry run wrote nothing');

    const xlsx = await toXlsx(rows);
    const dryX = await call('POST', '/v1/imports', { token: clerk, body: file(xlsx, true, 'records.xlsx') });
    t.same(dryX.body.errors, []);
    t.equal(dryX.body.importId, dry.body.importId, 'the same records as .xlsx are the same import');

    const started = await call('POST', '/v1/imports', { token: clerk, body: file(csv, false) });
    t.equal(started.status, 202);
    const importId = String(started.body.importId);
    await imports!.running(importId);
    lap('run');
    const finished = await untilFinished(call, clerk, importId);
    t.equal(finished.status, 'done', JSON.stringify(finished.errors));
    t.equal(finished.done, finished.total);
    const events = await everything(system);
    t.ok(events.length > 50, `${events.length} events`);
    t.ok(events.every((e) => (e.metadata as { backRecorded?: { by: string } }).backRecorded?.by === 'clerk-xu'), 'every event says who entered it');

    const again = await call('POST', '/v1/imports', { token: clerk, body: file(xlsx, false, 'records.xlsx') });
    t.equal(again.status, 202);
    t.equal(again.body.status, 'done', 'the same records again: already done');
    t.equal(await system.eventCount(), events.length, 'nothing new written');
  });
}
