import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { leafHash, verifyConsistency, verifyInclusion } from '../src/merkle/tree.js';
import { bankReference, programme as programmes, project, r2Ledger, type BankReferenceCommand, type ProgrammeCommand, type ProjectEvent } from '@gongguan/domain';
import { appendEach, appendOtherProject, appendStory, auditApp, PROJECT_ID } from './fixtures/story.js';
import { codes, finance, finance3, officer } from '../../../packages/domain/test/fixtures/fixtures.js';
import { programme as pumpProgramme } from '../../../packages/domain/test/fixtures/project-story.js';

const launch: ProgrammeCommand = {
  type: 'LaunchProgramme',
  actor: officer,
  at: '2018-04-20T10:00:00+08:00',
  data: { programmeId: 'tz-2018', name: 'Taizhou 2018', bureau: 'Taizhou S&T Bureau', bureauCode: '331000', quota: 10, focusIndustries: [...pumpProgramme.focusIndustries], policy: pumpProgramme.policy },
};
const claim: BankReferenceCommand = {
  type: 'ClaimBankReference',
  actor: finance3,
  at: '2019-10-12T10:00:00+08:00',
  data: { bankReference: 'BOC-2019-5550', claimant: { kind: 'disbursement', id: 'r2-pay1' } },
};

const VERIFIER = new URL('../../../scripts/verify-bundle.mjs', import.meta.url).pathname;
const runVerifier = (dir: string) => spawnSync(process.execPath, [VERIFIER, dir], { encoding: 'utf8' });

function writeBundle(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-bundle-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Rewrites one file and its manifest entry, as a forger who knows the format would. */
function forge(dir: string, name: string, edit: (text: string) => string): void {
  const text = edit(readFileSync(join(dir, name), 'utf8'));
  writeFileSync(join(dir, name), text);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const entry = manifest.files.find((f: { name: string }) => f.name === name);
  entry.sha256 = createHash('sha256').update(text).digest('hex');
  entry.bytes = Buffer.byteLength(text);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

const target = testDatabaseTargets().targets[0]!;

t.test('tree heads, proofs and bundles (pglite)', async (t) => {
  const db = await target();
  t.teardown(() => db.drop());
  const { app, store, token } = await auditApp(t, await db.open());
  await appendStory(store);
  const as = async (role: 'auditor' | 'admin') => ({ authorization: `Bearer ${await token(role)}` });

  t.equal((await app.inject({ method: 'GET', url: '/v1/audit/projects/p-never/bundle', headers: await as('auditor') })).statusCode, 404, 'no bundle of a project that does not exist');
  t.equal((await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: await as('auditor'), payload: {} })).statusCode, 403, 'an auditor cannot seal');
  const first = await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: await as('admin'), payload: { reason: 'quarter end' } });
  t.equal(first.statusCode, 201);
  const head1 = first.json();
  t.equal(head1.treeSize, 29, 'the head covers every event before it (the signing key’s activation at start, the story’s 26, and the claim and its payment on the R2 ledger)');
  const again = await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: await as('admin'), payload: {} });
  t.equal(again.statusCode, 200, 'nothing new since: the latest head is returned, no head of a head');
  await appendOtherProject(store, 'p-other-03');
  // What the lifecycle service would also have written: the programme, and the claim of the bank reference the disbursement was paid with.
  await appendEach(store, programmes.streamName('tz-2018'), programmes.decider.decide(launch, programmes.decider.initialState));
  await appendEach(store, bankReference.streamName('BOC-2019-5550'), bankReference.decider.decide(claim, bankReference.decider.initialState));
  // … and the ledger's assessment recorded back on the project (the fixture's story stops before it).
  const ledgerStream = r2Ledger.streamName('331000', codes.lead, 2019);
  const assessed = (await store.readStream(ledgerStream)).find((e) => e.type === 'R2PaymentAssessed')!;
  const recordedBack: ProjectEvent = {
    type: 'SubsidyAssessmentRecorded',
    data: { by: finance, at: '2019-10-09T10:00:00+08:00', projectId: PROJECT_ID, paymentId: 'pay1', step: 'payment', ledgerStream, subsidyGranted: Number(assessed.data.subsidyGranted), clawback: 0 },
  };
  await appendEach(store, project.streamName(PROJECT_ID), [recordedBack]);
  const head2 = (await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: await as('admin'), payload: {} })).json();
  t.ok(head2.treeSize > head1.treeSize + 1, 'the second head covers the first head and the new events');

  const c = (await app.inject({ method: 'GET', url: `/v1/audit/tree-heads/consistency?from=${head1.treeSize}&to=${head2.treeSize}`, headers: await as('auditor') })).json();
  t.equal(c.fromRoot, head1.rootHash);
  t.equal(c.toRoot, head2.rootHash);
  const hex = (s: string) => Buffer.from(s, 'hex');
  t.ok(verifyConsistency(head1.treeSize, head2.treeSize, c.proof.map(hex), hex(head1.rootHash), hex(head2.rootHash)), 'consistency proof verifies');

  const someEvent = (await store.readStream(`project-${PROJECT_ID}`))[4]!;
  const inc = (await app.inject({ method: 'GET', url: `/v1/audit/events/${someEvent.id}/inclusion?treeSize=${head1.treeSize}`, headers: await as('auditor') })).json();
  t.ok(verifyInclusion(leafHash(someEvent.hash), inc.leafIndex, head1.treeSize, inc.path.map(hex), hex(head1.rootHash)), 'inclusion proof verifies');
  const unsealed = (await store.readAll({ limit: 1000 })).events.at(-1)!;
  t.equal((await app.inject({ method: 'GET', url: `/v1/audit/events/${unsealed.id}/inclusion`, headers: await as('auditor') })).statusCode, 404, 'an event after the latest head has no proof yet');

  const res = await app.inject({ method: 'GET', url: `/v1/audit/projects/${PROJECT_ID}/bundle`, headers: await as('auditor') });
  t.equal(res.statusCode, 200);
  const bundle = res.json();
  t.equal(bundle.manifest.treeHead.rootHash, head2.rootHash, 'nothing new since the head: the export sealed nothing more');
  t.ok(bundle.manifest.events > 20);

  const good = writeBundle(bundle.files);
  t.teardown(() => rmSync(good, { recursive: true, force: true }));
  const ok = runVerifier(good);
  t.equal(ok.status, 0, ok.stdout + ok.stderr);
  t.match(ok.stdout, /OK: the bundle for project p-pump-01 verifies/);
  t.match(ok.stdout, /signature valid/);
  t.match(ok.stdout, /money: recomputed .*every amount matches/, 'the money line (scripts/verify-bundle-money.mjs)');

  const programme = await app.inject({ method: 'GET', url: `/v1/audit/programmes/tz-1999/bundle`, headers: await as('auditor') });
  t.equal(programme.statusCode, 404, 'a programme never launched has no bundle');

  const cases: Array<[string, (dir: string) => void]> = [
    ['an event altered (manifest fixed up)', (dir) => forge(dir, 'events.ndjson', (s) => s.replace('"amount":200000000', '"amount":200000001'))],
    ['an event dropped from the middle of a stream', (dir) => forge(dir, 'events.ndjson', (s) => s.split('\n').filter((_, i) => i !== 3).join('\n'))],
    ['a file changed without the manifest', (dir) => writeFileSync(join(dir, 'proofs.ndjson'), readFileSync(join(dir, 'proofs.ndjson'), 'utf8').replace(/"path":\["([0-9a-f])/, (_m, d: string) => `"path":["${d === '0' ? '1' : '0'}`))],
    ['a proof path altered (manifest fixed up)', (dir) => forge(dir, 'proofs.ndjson', (s) => s.replace(/"path":\["([0-9a-f])/, (_m, d: string) => `"path":["${d === '0' ? '1' : '0'}`))],
    ['the tree head re-rooted (manifest fixed up)', (dir) => forge(dir, 'tree-head.json', (s) => s.replace(/"rootHash": "([0-9a-f])/, (_m, d: string) => `"rootHash": "${d === 'f' ? '0' : 'f'}`))],
  ];
  for (const [what, corrupt] of cases) {
    const dir = writeBundle(bundle.files);
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    corrupt(dir);
    const r = runVerifier(dir);
    t.equal(r.status, 1, `${what}: rejected\n${r.stdout}${r.stderr}`);
    t.match(r.stdout, /FAILED/);
  }
  t.equal(runVerifier('/nonexistent').status, 2, 'usage error');
});
