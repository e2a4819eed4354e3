import { spawnSync } from 'node:child_process';
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { canonicalize } from '@gongguan/event-store';
import { auditApiService } from '../src/app.js';
import { defaultKeyPath } from '../src/keys/tree-head-key.js';
import { caller } from '../../../test/support/api.js';
import { cast, CODES, launchProgramme, projectInPromotion } from '../../../test/support/story.js';
import { databaseKinds, lifecycleService, startSystem, testClock } from '../../../test/support/system.js';
import { driver, moneySteps } from '../../../test/support/whole-project.js';

// Sealed only when asked (and by every export): no periodic seal racing the test.
process.env.AUDIT_SEAL_INTERVAL_MS = '0';

const VERIFIER = new URL('../../../scripts/verify-bundle.mjs', import.meta.url).pathname;
const INSTITUTION = '12331000470000001L';
const LEDGER = `subsidy-${CODES.lead}-2019`;
const R3 = `r3-${INSTITUTION}-2019`;

interface BundleDoc {
  manifest: { format: string; streams: number; events: number; eventsAfterTreeHead: number; treeHead: { treeSize: number; streamCount: number }; key: { keyId: string; noteKeyName: string } };
  files: Record<string, string>;
}
interface Line {
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
}

const verifyDir = (dir: string, ...args: string[]) => spawnSync(process.execPath, [VERIFIER, dir, ...args], { encoding: 'utf8' });
const lines = (text: string) => text.split('\n').filter((l) => l.length > 0);

function writeBundle(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-bundle2-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Rewrites files and their manifest entries (and lets the forger edit the manifest), as someone who knows the format would. */
function forge(dir: string, edits: Record<string, (text: string) => string>, manifestEdit: (m: Record<string, unknown>) => void = () => undefined): void {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { files: Array<{ name: string; sha256: string; bytes: number }> } & Record<string, unknown>;
  for (const [name, edit] of Object.entries(edits)) {
    const text = edit(readFileSync(join(dir, name), 'utf8'));
    writeFileSync(join(dir, name), text);
    const entry = manifest.files.find((f) => f.name === name)!;
    entry.sha256 = createHash('sha256').update(text).digest('hex');
    entry.bytes = Buffer.byteLength(text);
  }
  manifestEdit(manifest);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
}

/** The event lines and proof lines without the ones at `drop` (indices into events.ndjson); the manifest's count follows. */
function dropEvents(dir: string, drop: ReadonlySet<number>, withProofs: boolean): void {
  const keep = (text: string) => `${lines(text).filter((_, i) => !drop.has(i)).join('\n')}\n`;
  forge(dir, { 'events.ndjson': keep, ...(withProofs ? { 'proofs.ndjson': keep } : {}) }, (m) => {
    m.events = (m.events as number) - drop.size;
  });
}

const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

for (const kind of kinds) {
  t.test(`${kind}: a v2 bundle proves every stream it carries whole, and carries every stream its money depends on (issue 17)`, async (t) => {
    const clock = testClock('2019-10-10T02:00:00Z');
    const system = await startSystem(t, kind, [lifecycleService({ env: clock.env, redriver: false }), auditApiService]);
    const call = caller(system.url);
    const people = await cast(system);
    const admin = await system.token('admin', 'root');
    const at = (iso: string) => clock.set(iso);
    const d = driver(call);
    const money = moneySteps(d, { ...people });

    // Two projects of one enterprise, paid in the same year: one R2 ledger holds both.
    await launchProgramme(call, people, 'tz-b', 10, at);
    await projectInPromotion(call, people, 'tz-b', 'b-1', CODES.lead, at);
    await projectInPromotion(call, people, 'tz-b', 'b-2', CODES.lead, at);
    at('2019-10-10T02:00:00Z');
    await d.must('POST', '/v1/projects/b-1/contracts/c1/payments', people.alice, { paymentId: 'pay1', amount: 200_000_000, bankReference: 'BOC-B-1001', paidOn: '2019-10-09' }, 201);
    await d.must('POST', '/v1/projects/b-2/contracts/c1/payments', people.alice, { paymentId: 'pay1', amount: 400_000_000, bankReference: 'BOC-B-2001', paidOn: '2019-10-09' }, 201);
    await money.payR1('b-1', '2019-10-10');
    await money.payR2('b-1', 'pay1', 10_000_000, '2019-10-10');
    await money.payR2('b-2', 'pay1', 20_000_000, '2019-10-10');
    // An R3 ledger, tied to no project.
    await d.must('POST', `/v1/subsidy-ledgers/r3/${INSTITUTION}/2019/transactions`, people.alice, { programmeId: 'tz-b', transactionId: 't1', amount: 400_000_000, occurredOn: '2019-05-10', inCity: true, description: 'Licence brokered in the city' }, 201);
    await d.must('POST', '/v1/disbursements', people.fay, { disbursementId: 'r3-t1', entitlement: { rule: 'R3', creditCode: INSTITUTION, year: 2019, transactionId: 't1' }, payee: { name: 'Taizhou Transfer Centre', creditCode: INSTITUTION } }, 201);
    await d.must('POST', '/v1/disbursements/r3-t1/approval', people.gus, {});
    await d.must('POST', '/v1/disbursements/r3-t1/payment', people.fay, { bankReference: 'R3-T1', paidOn: '2019-10-10' });

    const bundleOf = async (path: string, token = people.auditor): Promise<BundleDoc> => {
      const res = await call('GET', path, { token });
      t.equal(res.status, 200, `${path}: ${JSON.stringify(res.body).slice(0, 300)}`);
      return res.body as unknown as BundleDoc;
    };
    const eventsOf = (b: BundleDoc) => lines(b.files['events.ndjson']!).map((l) => JSON.parse(l) as Line);
    const streamsOf = (b: BundleDoc) => lines(b.files['stream-heads.ndjson']!).map((l) => (JSON.parse(l) as { stream: string }).stream);

    await t.test('POST /v1/audit/tree-heads takes no body, an empty JSON body, {} or a reason', async (t) => {
      const seal = (headers: Record<string, string>, raw?: string) =>
        call('POST', '/v1/audit/tree-heads', { token: admin, headers, ...(raw === undefined ? {} : { raw }) });
      const none = await seal({});
      t.equal(none.status, 201, `no body: ${JSON.stringify(none.body)}`);
      t.equal((await seal({ 'content-type': 'application/json' }, '')).status, 200, 'an empty body with content-type application/json: nothing new, the latest head');
      t.equal((await seal({ 'content-type': 'application/json' }, '{}')).status, 200);
      t.equal((await seal({ 'content-type': 'application/json' }, '{"reason":"quarter end"}')).status, 200);
      t.equal((await seal({ 'content-type': 'application/json' }, '{"other":1}')).status, 400, 'the schema still decides');
    });

    const b1 = await bundleOf('/v1/audit/projects/b-1/bundle');
    const b2 = await bundleOf('/v1/audit/projects/b-2/bundle');

    await t.test('a project bundle carries its closure: the programme, disbursements, the whole ledger, every bank reference', async (t) => {
      t.equal(b1.manifest.format, 'gongguan-audit-bundle/2');
      const streams = streamsOf(b1);
      for (const s of ['project-b-1', 'programme-tz-b', LEDGER, 'disbursement-r1-b-1', 'disbursement-r2-b-1-pay1', 'disbursement-r2-b-2-pay1', 'bank-reference-BOC-B-1001', 'bank-reference-BOC-B-2001', 'bank-reference-R1-B-1', 'bank-reference-R2-B-1-PAY1', 'bank-reference-R2-B-2-PAY1']) {
        t.ok(streams.includes(s), `carries ${s}`);
      }
      t.notOk(streams.includes('project-b-2'), 'never another project');
      t.notOk(streams.includes(R3), 'an R3 ledger the project does not depend on is not carried');
      t.same(streams, [...streams].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))), 'stream heads in UTF-8 order');
      for (const b of [b1, b2]) {
        const assessed = eventsOf(b).filter((e) => e.stream === LEDGER && e.type === 'R2PaymentAssessed').map((e) => e.data.projectId);
        t.same(assessed.sort(), ['b-1', 'b-2'], `${b === b1 ? 'b-1' : 'b-2'}'s bundle carries the whole ledger, both projects' entries`);
        const ledgerRevisions = eventsOf(b).filter((e) => e.stream === LEDGER).map((e) => e.revision);
        t.same(ledgerRevisions, ledgerRevisions.map((_, i) => i), 'every revision of the ledger from 0');
      }
      t.match(b1.manifest.key, { keyId: /^[0-9a-f]{64}$/, noteKeyName: 'gongguan.local/audit' });
      t.equal(b1.manifest.streams, streams.length);
      t.match(b1.files['checkpoint.txt'], new RegExp(`^gongguan\\.local/audit\\n${b1.manifest.treeHead.treeSize}\\n`));
    });

    await t.test('clean bundles verify, with the stream heads, the checkpoint and the closure', async (t) => {
      for (const b of [b1, b2]) {
        const r = verifyDir(writeBundle(t, b.files), '--key-id', b.manifest.key.keyId);
        t.equal(r.status, 0, r.stdout + r.stderr);
        t.match(r.stdout, /every carried stream is whole/);
        t.match(r.stdout, /note signature valid/);
      }
    });

    await t.test('the R3 ledger has a bundle of its own; a name that is no ledger is refused', async (t) => {
      const r3 = await bundleOf(`/v1/audit/ledgers/${R3}/bundle`);
      t.same(streamsOf(r3).sort(), [R3, 'bank-reference-R3-T1', 'disbursement-r3-t1'].sort());
      const r = verifyDir(writeBundle(t, r3.files));
      t.equal(r.status, 0, r.stdout + r.stderr);
      const r2 = await bundleOf(`/v1/audit/ledgers/${LEDGER}/bundle`);
      t.ok(streamsOf(r2).includes('disbursement-r2-b-2-pay1'));
      t.equal(verifyDir(writeBundle(t, r2.files)).status, 0);
      t.equal((await call('GET', '/v1/audit/ledgers/project-b-1/bundle', { token: people.auditor })).status, 400);
      t.equal((await call('GET', `/v1/audit/ledgers/r3-${CODES.buyer}-2019/bundle`, { token: people.auditor })).status, 404);
    });

    await t.test('the history route includes the bank-reference claim of a contract payment', async (t) => {
      const res = await call('GET', '/v1/audit/projects/b-1/history', { token: people.auditor });
      const events = res.body.events as Line[];
      const claim = events.find((e) => e.stream === 'bank-reference-BOC-B-1001');
      t.match(claim, { type: 'BankReferenceClaimed', data: { claimant: { kind: 'contract_payment', id: 'b-1.pay1' } } });
      t.notOk(events.some((e) => e.stream === 'bank-reference-BOC-B-2001'), "not the other project's claim");
    });

    await t.test('an export seals first: events written just before it are in the bundle', async (t) => {
      await d.must('POST', '/v1/projects/b-1/contracts/c1/payments', people.alice, { paymentId: 'pay2', amount: 300_000_000, bankReference: 'BOC-B-1002', paidOn: '2019-10-10' }, 201);
      const after = await bundleOf('/v1/audit/projects/b-1/bundle');
      t.ok(after.manifest.treeHead.treeSize > b1.manifest.treeHead.treeSize, 'a new head');
      const events = eventsOf(after);
      t.ok(events.some((e) => e.type === 'ContractPaymentConfirmed' && e.data.paymentId === 'pay2'), 'the new payment');
      t.ok(events.some((e) => e.stream === 'bank-reference-BOC-B-1002'), 'its bank reference');
      t.equal(after.manifest.eventsAfterTreeHead, 0);
      t.equal(verifyDir(writeBundle(t, after.files)).status, 0);
      const heads = (await call('GET', '/v1/audit/tree-heads?limit=1000', { token: people.auditor })).body.treeHeads as Array<{ treeSize: number }>;
      t.equal(heads.at(-1)?.treeSize, after.manifest.treeHead.treeSize, 'the bundle is of the latest head, the one the export sealed');
    });

    await t.test('a v1 bundle is checked for what it proves, then fails: it cannot prove a stream whole', async (t) => {
      // What an export before issue 17 wrote: no stream heads, no checkpoint, a head signed with the v1 statement (by the same key).
      const privateKey = createPrivateKey(readFileSync(defaultKeyPath(system.dataDir)));
      const v2Head = JSON.parse(b1.files['tree-head.json']!) as Record<string, unknown> & { treeSize: number; rootHash: string; sealedAt: string };
      const { streamCount: _c, streamHeadsRoot: _r, origin: _o, checkpoint: _p, ...v1Head } = v2Head;
      const statement = canonicalize({ kind: 'gongguan-tree-head/v1', rootHash: v2Head.rootHash, sealedAt: v2Head.sealedAt, treeSize: v2Head.treeSize });
      v1Head.signature = sign(null, Buffer.from(statement, 'utf8'), privateKey).toString('base64');
      const files: Record<string, string> = { 'tree-head.json': `${JSON.stringify(v1Head, null, 2)}\n` };
      for (const name of ['events.ndjson', 'proofs.ndjson', 'public-key.pem']) files[name] = b1.files[name]!;
      const manifest = {
        format: 'gongguan-audit-bundle/1', createdAt: new Date().toISOString(), scope: { kind: 'project', id: 'b-1' },
        treeHead: { treeSize: v2Head.treeSize, rootHash: v2Head.rootHash, keyId: b1.manifest.key.keyId }, events: b1.manifest.events, eventsAfterTreeHead: 0,
        files: Object.entries(files).map(([name, text]) => ({ name, sha256: createHash('sha256').update(text).digest('hex'), bytes: Buffer.byteLength(text) })),
      };
      const dir = writeBundle(t, { ...files, 'manifest.json': JSON.stringify(manifest) });
      const strict = verifyDir(dir);
      t.equal(strict.status, 1, strict.stdout);
      t.match(strict.stdout, /signature valid/, 'its v1 signature is checked and holds');
      t.match(strict.stdout, /not that a stream is whole/);
      const lenient = verifyDir(dir, '--accept-incomplete');
      t.equal(lenient.status, 0, lenient.stdout);
      t.match(lenient.stdout, /WARNING: .*accepted with --accept-incomplete/);
    });

    await t.test('every tampering is rejected', async (t) => {
      const events = eventsOf(b1);
      const byStream = new Map<string, number[]>();
      for (const [i, e] of events.entries()) byStream.set(e.stream, [...(byStream.get(e.stream) ?? []), i]);
      const cases: Array<[string, (dir: string) => void, RegExp]> = [];
      for (const [stream, at] of byStream) {
        const picks = new Map<string, number>([['first', at[0]!], ['last', at.at(-1)!]]);
        if (at.length >= 3) picks.set('middle', at[Math.floor(at.length / 2)]!);
        for (const [where, i] of picks) {
          for (const withProof of [true, false]) {
            cases.push([`the ${where} event of ${stream} deleted ${withProof ? 'with' : 'without'} its proof line`, (dir) => dropEvents(dir, new Set([i]), withProof), /FAILED/]);
          }
        }
      }
      const ledgerAt = byStream.get(LEDGER)!;
      const lastLedger = events[ledgerAt.at(-1)!]!;
      const prevLedger = JSON.parse(lines(b1.files['events.ndjson']!)[ledgerAt.at(-2)!]!) as { revision: number; hash: string };
      cases.push(
        ['an extra proof line', (dir) => forge(dir, { 'proofs.ndjson': (s) => s + lines(s)[0]! + '\n' }), /exactly one per event/],
        ['an event and its proof duplicated', (dir) => forge(dir, { 'events.ndjson': (s) => s + lines(s).at(-1)! + '\n', 'proofs.ndjson': (s) => s + lines(s).at(-1)! + '\n' }, (m) => { m.events = (m.events as number) + 1; }), /FAILED/],
        ['two events (and their proofs) swapped', (dir) => {
          const swap = (s: string) => { const l = lines(s); [l[3], l[4]] = [l[4]!, l[3]!]; return `${l.join('\n')}\n`; };
          forge(dir, { 'events.ndjson': swap, 'proofs.ndjson': swap });
        }, /FAILED/],
        ['the last ledger event deleted with its proof and the stream head rewritten to the one before', (dir) => {
          dropEvents(dir, new Set([ledgerAt.at(-1)!]), true);
          forge(dir, { 'stream-heads.ndjson': (s) => s.replace(`"revision":${lastLedger.revision},"hash":"${JSON.parse(lines(b1.files['events.ndjson']!)[ledgerAt.at(-1)!]!).hash}"`, `"revision":${prevLedger.revision},"hash":"${prevLedger.hash}"`) });
        }, /does not lead to the signed streamHeadsRoot/],
        ...[LEDGER, 'bank-reference-BOC-B-2001', 'disbursement-r2-b-1-pay1', 'programme-tz-b'].map((stream): [string, (dir: string) => void, RegExp] => [
          `the whole stream ${stream} dropped with its stream-head proof`,
          (dir) => {
            dropEvents(dir, new Set(byStream.get(stream)!), true);
            forge(dir, { 'stream-heads.ndjson': (s) => `${lines(s).filter((l) => !l.includes(`"stream":${JSON.stringify(stream)}`)).join('\n')}\n` }, (m) => { m.streams = (m.streams as number) - 1; });
          },
          new RegExp(`stream ${stream.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is .*not carry it`),
        ]),
        ['a stream head line dropped, its events kept', (dir) => forge(dir, { 'stream-heads.ndjson': (s) => `${lines(s).filter((l) => !l.includes(`"stream":"${LEDGER}"`)).join('\n')}\n` }, (m) => { m.streams = (m.streams as number) - 1; }), /has no stream-head proof/],
        ['the head\'s streamCount altered', (dir) => forge(dir, { 'tree-head.json': (s) => s.replace(/"streamCount": (\d+)/, (_m, n: string) => `"streamCount": ${Number(n) + 1}`) }, (m) => { (m.treeHead as { streamCount: number }).streamCount += 1; }), /signature does not verify/],
        ['the checkpoint names another size', (dir) => forge(dir, { 'checkpoint.txt': (s) => s.replace(/\n(\d+)\n/, (_m, n: string) => `\n${Number(n) + 1}\n`) }), /checkpoint/],
        ['a v1 manifest', (dir) => forge(dir, {}, (m) => { m.format = 'gongguan-audit-bundle/1'; }), /cannot prove|not that a stream is whole/],
      );
      t.ok(cases.length > 60, `${cases.length} tamperings`);
      for (const [what, corrupt, why] of cases) {
        const dir = writeBundle(t, b1.files);
        corrupt(dir);
        const r = verifyDir(dir);
        t.equal(r.status, 1, `${what}: rejected\n${r.stdout}${r.stderr}`);
        t.match(r.stdout, why, what);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
