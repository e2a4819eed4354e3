/**
 * Issue 19 as its users check it, with the production defaults (sealing on its interval, the R2
 * re-driver running): a bureau's 2018 programme entered through `pnpm gongguan import`, mistakes
 * corrected (a milestone date by an officer; a bank reference under four eyes), a milestone's
 * report uploaded as evidence, then an auditor exports the project with `gongguan export
 * --evidence`: the offline verifier finds the file, every chain and proof, the money, and lists each
 * correction beside its original; the history shows what was entered later and by whom.
 */
import { readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { auditApiService } from '@gongguan/audit-api';
import { caller } from './support/api.js';
import { gongguan as cli, root, runScript } from './support/cli.js';
import { pdf } from './support/files.js';
import { databaseKinds, lifecycleService, startSystem } from './support/system.js';

const SAMPLE = join(root, 'services/lifecycle-api/samples/import/taizhou-2018.csv');

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: a 2018 programme imported, corrected, with evidence, exported and verified`, async (t) => {
    const system = await startSystem(t, kind, [lifecycleService(), auditApiService]);
    const call = caller(system.url);
    const clerk = await system.token('officer', 'clerk-xu');
    const bob = await system.token('officer', 'bob');
    const fay = await system.token('finance', 'fay');
    const gus = await system.token('finance', 'gus');
    const auditor = await system.token('auditor', 'audrey');

    const imported = await cli(['import', SAMPLE], { GONGGUAN_URL: system.url, GONGGUAN_TOKEN: clerk });
    t.equal(imported.code, 0, imported.stdout + imported.stderr);
    t.match(imported.stdout, /facts recorded \(back-recorded as of their dates\)/);

    const P = '/v1/projects/tz2018-001';
    const dated = await call('POST', `${P}/milestones/m1/date-corrections`, { token: bob, body: { field: 'reportedOn', date: '2019-01-24', reason: '报告日期录入错误，按原件更正' } });
    t.equal(dated.status, 200, JSON.stringify(dated.body));
    const requested = await call('POST', `${P}/money-corrections`, {
      token: fay,
      body: { correctionId: 'corr-1', correction: { kind: 'payment_bank_reference', paymentId: 'pay1', bankReference: 'ICBC-C-2020-0001A' }, reason: '银行流水号少录一位' },
    });
    t.equal(requested.status, 201, JSON.stringify(requested.body));
    const own = await call('POST', `${P}/money-corrections/corr-1/approval`, { token: fay, body: {} });
    t.equal(own.body.code, 'FOUR_EYES_VIOLATION', 'the requester cannot approve a money correction');
    t.equal((await call('POST', `${P}/money-corrections/corr-1/approval`, { token: gus, body: {} })).status, 200);

    const report = pdf('水力模型试验报告');
    const uploaded = await fetch(`${system.url}${P}/evidence?attachTo=milestone&targetId=m1&name=${encodeURIComponent('水力模型试验报告.pdf')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bob}`, 'content-type': 'application/pdf' },
      body: report,
    });
    t.ok(uploaded.status < 300, `evidence uploaded (${uploaded.status})`);

    const dir = mkdtempSync(join(tmpdir(), 'gongguan-records-'));
    const exported = await cli(['export', 'project', 'tz2018-001', '--out', dir, '--evidence'], { GONGGUAN_URL: system.url, GONGGUAN_TOKEN: auditor });
    t.equal(exported.code, 0, exported.stdout + exported.stderr);
    t.match(exported.stdout, /wrote 1 evidence file\(s\)/);
    t.match(exported.stdout, /evidence: 1 event\(s\) record 1 file\(s\); 1 present with the recorded SHA-256 and size/);
    t.match(exported.stdout, /money: .*1 money correction\(s\).*every amount matches/);
    t.match(exported.stdout, /MilestoneReported ← corrected by project-tz2018-001@\d+ MilestoneDateCorrected \(报告日期录入错误，按原件更正\)/);
    t.match(exported.stdout, /ContractPaymentConfirmed ← corrected by project-tz2018-001@\d+ MoneyCorrectionApproved/);
    t.match(exported.stdout, /^OK: the bundle for project tz2018-001 verifies/m);

    const [file] = readdirSync(join(dir, 'evidence'));
    writeFileSync(join(dir, 'evidence', file!), Buffer.concat([report, Buffer.from(' ')]));
    const tampered = await runScript('scripts/verify-bundle.mjs', [dir]);
    t.not(tampered.code, 0, 'a changed evidence file fails the verifier');
    t.match(tampered.stdout + tampered.stderr, /evidence [0-9a-f]{64}/);

    const history = await call('GET', `${P}/history`.replace('/v1/projects', '/v1/audit/projects'), { token: auditor });
    t.equal(history.status, 200);
    type Entry = { type: string; metadata: { backRecorded?: { by: string } }; correctedBy?: Array<{ type: string; reason: string }>; corrects?: { type: string } };
    const events = history.body.events as Entry[];
    const reported = events.find((e) => e.type === 'MilestoneReported' && e.correctedBy);
    t.equal(reported?.metadata.backRecorded?.by, 'clerk-xu', 'the original was entered later, by the clerk');
    t.match(reported?.correctedBy, [{ type: 'MilestoneDateCorrected', reason: '报告日期录入错误，按原件更正' }], 'and shows its correction beside it');
    const correction = events.find((e) => e.type === 'MilestoneDateCorrected');
    t.match(correction, { corrects: { type: 'MilestoneReported' } });
    t.equal(correction?.metadata.backRecorded, undefined, 'the correction was recorded live');
  });
}
