import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { ServiceMount } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { auditApiService } from '@gongguan/audit-api';
import { caller } from './support/api.js';
import { DOCX_TYPE, docx, pdf, png, XLSX_TYPE, xlsx } from './support/files.js';
import { cast, CODES, launchProgramme, projectInPromotion } from './support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from './support/system.js';

/**
 * Issue 19, evidence files: uploaded to a project, a milestone, a bank payment, the acceptance or a
 * disbursement; stored once by SHA-256 in SQL (PostgreSQL, or PGlite in the data dir); downloaded
 * by those who may read the resource; carried in an audit bundle with ?evidence=true and checked
 * there by scripts/verify-bundle.mjs.
 */

// Small limits, so a "too large" file is cheap; the audit service seals only when asked.
process.env.EVIDENCE_MAX_BYTES = '65536';
process.env.AUDIT_SEAL_INTERVAL_MS = '0';
process.env.AUDIT_BUNDLE_EVIDENCE_MAX_BYTES = '32768';

const VERIFIER = new URL('../scripts/verify-bundle.mjs', import.meta.url).pathname;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const CHINESE_NAME = '里程碑验收报告（终稿）.pdf';

interface Upload {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: evidence files are stored once by hash, sealed by their events, served to readers and carried in bundles`, async (t) => {
    const clock = testClock('2018-05-01T02:00:00Z');
    let sql: Sql | undefined;
    const sqlProbe: ServiceMount = {
      name: 'evidence-sql-probe',
      async mount(_app, deps) {
        sql = deps.sql;
      },
    };
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false }), auditApiService, sqlProbe]);
    const call = caller(system.url);
    const people = await cast(system);
    const db = sql!;
    const blobCount = async () => (await db.query<{ n: number }>('select count(*)::int as n from lifecycle.evidence_blobs')).rows[0]!.n;

    const upload = async (path: string, token: string, bytes: Buffer | undefined, headers: Record<string, string>): Promise<Upload> => {
      const res = await fetch(`${system.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, ...headers }, ...(bytes ? { body: bytes } : {}) });
      const text = await res.text();
      return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
    };
    const download = (path: string, token: string, headers: Record<string, string> = {}) => fetch(`${system.url}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });

    await launchProgramme(call, people, 'tz-ev', 10, clock.set);
    await projectInPromotion(call, people, 'tz-ev', 'p-ev', CODES.lead, clock.set);
    clock.set('2019-10-10T02:00:00Z');
    const paid = await call('POST', '/v1/projects/p-ev/contracts/c1/payments', { token: people.alice, body: { paymentId: 'pay1', amount: 200_000_000, bankReference: 'BOC-EV-1', paidOn: '2019-10-09' } });
    t.equal(paid.status, 201, 'a bank payment to attach evidence to');
    const P = '/v1/projects/p-ev';

    // ── Round trip with a Chinese name (Content-Disposition, RFC 8187).
    const report = pdf('milestone report');
    const up = await upload(`${P}/evidence?attachTo=milestone&targetId=m1`, people.alice, report, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(CHINESE_NAME)}`,
      'idempotency-key': 'ev-upload-1',
    });
    t.equal(up.status, 201, `uploaded: ${JSON.stringify(up.body)}`);
    const evidenceId = String(up.body.resourceId);
    t.equal(up.headers.get('location'), `${P}/evidence/${evidenceId}`, 'Location names the file');
    t.match(up.body.events, [{ type: 'EvidenceAttached' }]);
    const again = await upload(`${P}/evidence?attachTo=milestone&targetId=m1`, people.alice, report, {
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(CHINESE_NAME)}`,
      'idempotency-key': 'ev-upload-1',
    });
    t.equal(again.headers.get('idempotent-replayed'), 'true', 'a retry with the same key replays the answer');
    t.equal(again.body.resourceId, evidenceId);

    const list = await call('GET', `${P}/evidence`, { token: people.auditor });
    t.equal(list.status, 200);
    t.match(list.body.evidence, [{ evidenceId, attachedTo: { kind: 'milestone', id: 'm1' }, sha256: sha256(report), name: CHINESE_NAME, size: report.length, mediaType: 'application/pdf', by: 'alice' }]);

    const got = await download(`${P}/evidence/${evidenceId}`, people.auditor);
    t.equal(got.status, 200);
    t.same(Buffer.from(await got.arrayBuffer()), report, 'the very bytes come back');
    t.equal(got.headers.get('content-type'), 'application/pdf');
    t.equal(got.headers.get('etag'), `"${sha256(report)}"`);
    t.equal(got.headers.get('x-content-type-options'), 'nosniff');
    const disposition = got.headers.get('content-disposition') ?? '';
    t.match(disposition, /^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''/);
    t.equal(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)![1]!), CHINESE_NAME, 'filename* carries the exact Chinese name');
    t.equal((await download(`${P}/evidence/${evidenceId}`, people.auditor, { 'if-none-match': `"${sha256(report)}"` })).status, 304, 'If-None-Match the hash: 304');
    const history = await call('GET', `/v1/audit/projects/p-ev/history`, { token: people.auditor });
    t.equal(history.status, 200);
    t.ok(JSON.stringify(history.body).includes(sha256(report)), 'the audit history shows the event with its hash');

    // ── The same bytes again (another target, another name): one blob.
    t.equal(await blobCount(), 1);
    const copy = await upload(`${P}/evidence?name=${encodeURIComponent('副本.pdf')}`, people.alice, report, { 'content-type': 'application/pdf' });
    t.equal(copy.status, 201);
    t.equal(await blobCount(), 1, 'the same bytes are stored once');
    const office = await upload(`${P}/evidence?attachTo=payment&targetId=pay1&name=bank.xlsx`, people.fay, xlsx(), { 'content-type': XLSX_TYPE });
    t.equal(office.status, 201, `finance attaches a payment's bank statement (XLSX): ${JSON.stringify(office.body)}`);
    t.equal(await blobCount(), 2);
    const word = await upload(`${P}/evidence?name=${encodeURIComponent('项目变更说明.docx')}`, people.alice, docx(), { 'content-type': DOCX_TYPE });
    t.equal(word.status, 201, `an officer attaches a Word file (DOCX) to the project: ${JSON.stringify(word.body)}`);
    t.equal(await blobCount(), 3);

    // ── Refusals change nothing: no event, no blob.
    const events = await system.eventCount();
    const blobs = await blobCount();
    const refusals: Array<[string, Upload, number, string?]> = [
      ['too large', await upload(`${P}/evidence?name=big.pdf`, people.alice, Buffer.concat([pdf(), Buffer.alloc(70_000, 0x20)]), { 'content-type': 'application/pdf' }), 413],
      ['a PNG declared as PDF', await upload(`${P}/evidence?name=x.pdf`, people.alice, png(), { 'content-type': 'application/pdf' }), 415],
      ['a type not allowed', await upload(`${P}/evidence?name=x.txt`, people.alice, Buffer.from('hello'), { 'content-type': 'text/plain' }), 415],
      ['a DOCX declared as XLSX', await upload(`${P}/evidence?name=x.xlsx`, people.alice, docx(), { 'content-type': XLSX_TYPE }), 415],
      ['JSON', await upload(`${P}/evidence?name=x.json`, people.alice, Buffer.from('{}'), { 'content-type': 'application/json' }), 415],
      ['an empty body', await upload(`${P}/evidence?name=x.pdf`, people.alice, Buffer.alloc(0), { 'content-type': 'application/pdf' }), 400],
      ['no name', await upload(`${P}/evidence`, people.alice, pdf('a'), { 'content-type': 'application/pdf' }), 400],
      ['a path as name', await upload(`${P}/evidence?name=${encodeURIComponent('../etc/x.pdf')}`, people.alice, pdf('b'), { 'content-type': 'application/pdf' }), 400],
      ['a control character in the name', await upload(`${P}/evidence?name=${encodeURIComponent('a\u0000.pdf')}`, people.alice, pdf('c'), { 'content-type': 'application/pdf' }), 400],
      ['a milestone that does not exist', await upload(`${P}/evidence?attachTo=milestone&targetId=m9&name=x.pdf`, people.alice, pdf('d'), { 'content-type': 'application/pdf' }), 404, 'MILESTONE_NOT_FOUND'],
      ['a payment that does not exist', await upload(`${P}/evidence?attachTo=payment&targetId=pay9&name=x.pdf`, people.alice, pdf('e'), { 'content-type': 'application/pdf' }), 404, 'PAYMENT_NOT_FOUND'],
      ['an acceptance not applied for', await upload(`${P}/evidence?attachTo=acceptance&name=x.pdf`, people.alice, pdf('f'), { 'content-type': 'application/pdf' }), 409, 'INVALID_STATE'],
      ['finance on a milestone', await upload(`${P}/evidence?attachTo=milestone&targetId=m1&name=x.pdf`, people.fay, pdf('g'), { 'content-type': 'application/pdf' }), 403, 'ROLE_NOT_ALLOWED'],
      ['a stale If-Match', await upload(`${P}/evidence?name=x.pdf`, people.alice, pdf('h'), { 'content-type': 'application/pdf', 'if-match': '"1"' }), 412],
      ['the same evidence id with other bytes', await upload(`${P}/evidence?name=x.pdf&evidenceId=${evidenceId}`, people.alice, pdf('i'), { 'content-type': 'application/pdf' }), 409, 'ALREADY_EXISTS'],
      ['a reviewer', await upload(`${P}/evidence?name=x.pdf`, people.chen, pdf('j'), { 'content-type': 'application/pdf' }), 403, 'FORBIDDEN'],
      ['a project of no one', await upload(`/v1/projects/p-none/evidence?name=x.pdf`, people.alice, pdf('k'), { 'content-type': 'application/pdf' }), 404],
    ];
    for (const [what, res, status, code] of refusals) {
      t.equal(res.status, status, `${what} → ${status}: ${JSON.stringify(res.body).slice(0, 300)}`);
      t.match(res.headers.get('content-type'), /^application\/problem\+json/, `${what}: problem+json`);
      if (code) t.equal(res.body.code, code, `${what}: ${code}`);
    }
    t.equal(await system.eventCount(), events, 'no refusal appended an event');
    t.equal(await blobCount(), blobs, 'no refusal stored a blob');

    // ── Who may read: roles, and bureaus (outside the subtree: the 404 of a missing id).
    t.equal((await download(`${P}/evidence/${evidenceId}`, people.chen)).status, 403, 'an expert reviewer reads no evidence');
    const hangzhou = await system.token('officer', 'hz-officer', '330100');
    const foreign = await download(`${P}/evidence/${evidenceId}`, hangzhou);
    const none = await download(`/v1/projects/p-none/evidence/${evidenceId}`, hangzhou);
    t.equal(foreign.status, 404, "another city's officer: 404");
    const strip = (body: Record<string, unknown>) => JSON.stringify({ ...body, instance: undefined, requestId: undefined, traceId: undefined }).replaceAll('p-ev', '<id>').replaceAll('p-none', '<id>');
    t.equal(strip((await foreign.json()) as Record<string, unknown>), strip((await none.json()) as Record<string, unknown>), 'with the body of a project that does not exist');
    t.equal((await call('GET', `${P}/evidence`, { token: hangzhou })).status, 404);
    const province = await system.token('auditor', 'zj-auditor', '330000');
    t.equal((await download(`${P}/evidence/${evidenceId}`, province)).status, 200, "the province's auditor reads it");
    t.equal((await download(`${P}/evidence/no-such-file`, people.alice)).status, 404, 'an evidence id the project does not have: 404');

    // ── A disbursement's evidence, on its own stream; finance only.
    const r1 = await call('POST', `${P}/grants/r1`, { token: people.fay, body: {} });
    t.equal(r1.status < 300, true, `the R1 disbursement is requested: ${JSON.stringify(r1.body).slice(0, 200)}`);
    const slip = png();
    const slipUp = await upload(`/v1/disbursements/r1-p-ev/evidence?name=${encodeURIComponent('银行回单.png')}&evidenceId=slip-1`, people.fay, slip, { 'content-type': 'image/png' });
    t.equal(slipUp.status, 201, `a bank slip on the disbursement: ${JSON.stringify(slipUp.body)}`);
    t.match(slipUp.body, { stream: 'disbursement-r1-p-ev', events: [{ type: 'DisbursementEvidenceAttached' }] });
    t.equal((await upload(`/v1/disbursements/r1-p-ev/evidence?name=x.png`, people.alice, slip, { 'content-type': 'image/png' })).status, 403, 'an officer does not attach to a disbursement');
    const slipBack = await download('/v1/disbursements/r1-p-ev/evidence/slip-1', people.gus);
    t.same(Buffer.from(await slipBack.arrayBuffer()), slip);

    // ── The bundle: with ?evidence=true it carries every file its events record, and the verifier checks them.
    const bundleDir = async (tt: Test, query: string) => {
      const res = await call('GET', `/v1/audit/projects/p-ev/bundle${query}`, { token: people.auditor });
      tt.equal(res.status, 200, `bundle${query}: ${JSON.stringify(res.body).slice(0, 300)}`);
      const body = res.body as { files: Record<string, string>; evidence?: Array<{ sha256: string; base64: string }> };
      const dir = mkdtempSync(join(tmpdir(), 'gongguan-evidence-bundle-'));
      tt.teardown(() => rmSync(dir, { recursive: true, force: true }));
      for (const [name, text] of Object.entries(body.files)) writeFileSync(join(dir, name), text);
      if (body.evidence) {
        mkdirSync(join(dir, 'evidence'));
        for (const file of body.evidence) writeFileSync(join(dir, 'evidence', file.sha256), Buffer.from(file.base64, 'base64'));
      }
      return { dir, body };
    };
    const verify = (dir: string, ...args: string[]) => spawnSync(process.execPath, [VERIFIER, dir, ...args], { encoding: 'utf8' });

    await t.test('a bundle with its files verifies; a changed byte or a missing file fails', async (tt) => {
      const { dir, body } = await bundleDir(tt, '?evidence=true');
      const hashes = new Set((body.evidence ?? []).map((f) => f.sha256));
      tt.ok(hashes.has(sha256(report)) && hashes.has(sha256(slip)), "the project's and its disbursement's files are carried");
      tt.equal(hashes.size, 4, 'each distinct file once');
      const ok = verify(dir);
      tt.equal(ok.status, 0, ok.stdout + ok.stderr);
      tt.match(ok.stdout, /evidence: 5 event\(s\) record 4 file\(s\); 4 present/);
      tt.equal(Buffer.from(readFileSync(join(dir, 'evidence', sha256(report)))).equals(report), true, 'the file in the bundle is the upload');

      const tampered = Buffer.from(report);
      tampered[20] = tampered[20]! ^ 0x01;
      writeFileSync(join(dir, 'evidence', sha256(report)), tampered);
      const bad = verify(dir);
      tt.equal(bad.status, 1, 'a changed byte fails');
      tt.match(bad.stdout, new RegExp(`evidence ${sha256(report)}.*SHA-256`));
      unlinkSync(join(dir, 'evidence', sha256(slip)));
      const gone = verify(dir);
      tt.equal(gone.status, 1);
      tt.match(gone.stdout, new RegExp(`evidence ${sha256(slip)}.*missing`));
    });

    await t.test('a bundle without files says so, and fails only when the files are required', async (tt) => {
      const { dir, body } = await bundleDir(tt, '');
      tt.equal(body.evidence, undefined, 'no files unless asked');
      const ok = verify(dir);
      tt.equal(ok.status, 0, ok.stdout + ok.stderr);
      tt.match(ok.stdout, /evidence: 5 event\(s\) record 4 file\(s\), not included/);
      const strict = verify(dir, '--require-evidence');
      tt.equal(strict.status, 1, '--require-evidence: a bundle without its files fails');
    });

    await t.test('more evidence than AUDIT_BUNDLE_EVIDENCE_MAX_BYTES: the bundle with files is refused, problem+json', async (tt) => {
      const big = Buffer.concat([pdf('big'), Buffer.alloc(40_000, 0x20)]);
      tt.equal((await upload(`${P}/evidence?name=big.pdf`, people.alice, big, { 'content-type': 'application/pdf' })).status, 201, 'a 40 kB file (under EVIDENCE_MAX_BYTES)');
      const res = await call('GET', '/v1/audit/projects/p-ev/bundle?evidence=true', { token: people.auditor });
      tt.equal(res.status, 413);
      tt.match(res.body, { code: 'PAYLOAD_TOO_LARGE', maxBytes: 32768 });
      tt.match(res.headers.get('content-type'), /^application\/problem\+json/);
      tt.equal((await call('GET', '/v1/audit/projects/p-ev/bundle', { token: people.auditor })).status, 200, 'without the files it is exported');
    });
  });
}
