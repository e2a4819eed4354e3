import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { checkpointText, formatNote, signNoteLine } from '../src/checkpoint/note.js';
import { leafHash, treeRoot } from '../src/merkle/tree.js';
import { TREE_HEAD_EVENT, TREE_HEAD_STREAM } from '../src/tree-heads/tree-head.js';
import { appendStory, auditApp } from './fixtures/story.js';

/**
 * Checkpoints, tlog-proofs and tlog-witness consistency bodies, fetched over HTTP, are verified by
 * the Go checksum database's own libraries (golang.org/x/mod/sumdb/note and …/tlog, from Debian's
 * golang-go and golang-golang-x-mod-dev), not by our code: test/go/verify-c2sp.go.
 */

const GOPATH = '/usr/share/gocode';
const GO_PROGRAM = new URL('./go/verify-c2sp.go', import.meta.url).pathname;
const goEnv = { ...process.env, GO111MODULE: 'off', GOPATH, GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'gongguan-go-build'), GOFLAGS: '' };

function goMissing(): string | undefined {
  const version = spawnSync('go', ['version'], { encoding: 'utf8', env: goEnv });
  if (version.error || version.status !== 0) return 'the Go toolchain (`go`) is not installed: apt-get install -y golang-go golang-golang-x-mod-dev';
  for (const pkg of ['note', 'tlog']) {
    if (!existsSync(join(GOPATH, 'src/golang.org/x/mod/sumdb', pkg))) return `golang.org/x/mod/sumdb/${pkg} is not under ${GOPATH}: apt-get install -y golang-golang-x-mod-dev`;
  }
  return undefined;
}
const skipGo = goMissing();
if (skipGo) t.comment(`Go verification skipped: ${skipGo}`);

interface Check {
  name: string;
  kind: 'checkpoint' | 'proof' | 'consistency';
  /** What Go must answer. */
  expect: boolean;
  checkpoint?: string;
  proof?: string;
  eventHash?: string;
  old?: string;
  body?: string;
}

function runGo(vkey: string, origin: string, checks: Check[]): Map<string, { ok: boolean; error?: string }> {
  const run = spawnSync('go', ['run', GO_PROGRAM], { input: JSON.stringify({ vkey, origin, checks }), encoding: 'utf8', env: goEnv, timeout: 180_000 });
  if (run.status !== 0) throw new Error(`go run failed (${run.status}): ${run.stderr}`);
  const results = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { name: string; ok: boolean; error?: string });
  return new Map(results.map((r) => [r.name, r]));
}

/** Replaces line `i` (0-based) of a signed note's text, keeping its signature lines. */
const editLine = (note: string, i: number, line: string) => {
  const lines = note.split('\n');
  lines[i] = line;
  return lines.join('\n');
};

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const probe = await target();
  const name = probe.name;
  await probe.drop();

  t.test(`${name}: checkpoints, tlog-proofs and consistency proofs verify with Go's sumdb note and tlog, and forgeries fail there`, async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const { app, ctx, store, token } = await auditApp(t, await db.open());
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const get = (path: string, auth?: 'auditor' | 'admin') =>
      (auth ? token(auth) : Promise.resolve(undefined)).then((tok) => fetch(`${base}${path}`, tok ? { headers: { authorization: `Bearer ${tok}` } } : {}));
    const seal = async () => {
      const res = await fetch(`${base}/v1/audit/tree-heads`, { method: 'POST', headers: { authorization: `Bearer ${await token('admin')}`, 'content-type': 'application/json' }, body: '{}' });
      t.equal(res.status, 201, 'a new head is sealed');
      return (await res.json()) as { treeSize: number; rootHash: string; checkpoint: string };
    };

    // A head sealed before checkpoints (version 1 data, as older logs hold).
    await appendStory(store);
    const v1Size = await ctx.leaves.catchUp();
    await store.append(
      TREE_HEAD_STREAM,
      [
        {
          id: crypto.randomUUID(),
          type: TREE_HEAD_EVENT,
          schemaVersion: 1,
          data: { treeSize: v1Size, rootHash: ctx.leaves.levels.rootAt(v1Size).toString('hex'), sealedAt: new Date().toISOString(), lastEventId: null, algorithm: 'Ed25519', keyId: ctx.key.keyId, signature: 'AA==' },
          metadata: { actorId: 'admin-1', actorRole: 'admin', correlationId: 'v1-head' },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    for (const path of ['/v1/audit/checkpoint', `/v1/audit/checkpoints/${v1Size}`]) {
      const res = await get(path);
      t.equal(res.status, 404, `${path}: a version-1 head has no checkpoint`);
      t.match(((await res.json()) as { detail: string }).detail, /version 1/);
    }

    await appendStory(store).catch(() => undefined);
    const head1 = await seal();
    await appendStory(store).catch(() => undefined);
    const head2 = await seal();
    await appendStory(store).catch(() => undefined);
    const head3 = await seal();
    t.ok(v1Size < head1.treeSize && head1.treeSize < head2.treeSize && head2.treeSize < head3.treeSize, 'four heads of growing size');

    const key = await get('/v1/audit/public-key');
    t.equal(key.status, 200, 'the public key is public');
    const { noteVerifierKey: vkey, origin } = (await key.json()) as { noteVerifierKey: string; origin: string };
    t.equal(origin, ctx.origin);

    const latest = await get('/v1/audit/checkpoint');
    t.equal(latest.status, 200, 'the latest checkpoint is public');
    t.equal(latest.headers.get('content-type'), 'text/plain; charset=utf-8');
    t.equal(await latest.text(), head3.checkpoint, 'the latest checkpoint is the signed note sealed in the latest head');
    const checkpoints: string[] = [];
    for (const head of [head1, head2, head3]) {
      const res = await get(`/v1/audit/checkpoints/${head.treeSize}`);
      t.equal(res.status, 200);
      checkpoints.push(await res.text());
      t.equal(checkpoints.at(-1), head.checkpoint, `/v1/audit/checkpoints/${head.treeSize} is that head's checkpoint`);
    }
    t.equal((await get(`/v1/audit/checkpoints/${head2.treeSize + 1}`)).status, 404, 'no head has that size');
    t.equal((await get(`/v1/audit/checkpoints/${head3.treeSize + 10}`)).status, 404, 'beyond the latest head');
    const [cp1, cp2, cp3] = checkpoints as [string, string, string];

    const events = (await store.readAll({ limit: 10_000 })).events;
    const proofOf = async (id: string, treeSize?: number) => {
      const res = await get(`/v1/audit/events/${id}/tlog-proof${treeSize === undefined ? '' : `?treeSize=${treeSize}`}`, 'auditor');
      t.equal(res.status, 200, `tlog-proof of ${id}`);
      t.equal(res.headers.get('content-type'), 'text/plain; charset=utf-8');
      return res.text();
    };
    t.equal((await get(`/v1/audit/events/${events[0]!.id}/tlog-proof`)).status, 401, 'a tlog-proof names an event: audit readers only');
    t.equal((await get(`/v1/audit/events/${events[head3.treeSize]!.id}/tlog-proof`, 'auditor')).status, 404, 'the latest head’s own event is in no head yet');
    t.equal((await get(`/v1/audit/events/${events[0]!.id}/tlog-proof?treeSize=${head1.treeSize + 1}`, 'auditor')).status, 404, 'no head of that size');

    const first = events[0]!;
    const lastOf1 = events[head1.treeSize - 1]!;
    const middle = events[Math.floor(head2.treeSize / 2)]!;
    const aHead = events[v1Size]!; // the version-1 head's own event, covered by the later heads
    const proofFirst = await proofOf(first.id, head1.treeSize);
    t.match(proofFirst, new RegExp(`^c2sp\\.org/tlog-proof@v1\\nindex 0\\n(?:[A-Za-z0-9+/]{43}=\\n)+\\n${cp1.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`), 'the tlog-proof embeds the checkpoint of that head');
    const proofLast = await proofOf(lastOf1.id, head1.treeSize);
    const proofMiddle = await proofOf(middle.id, head2.treeSize);
    const proofHead = await proofOf(aHead.id);
    t.match(proofHead, `index ${v1Size}\n`);

    const consistency = async (from: number, to: number) => {
      const res = await get(`/v1/audit/checkpoints/${to}/consistency?old=${from}`);
      t.equal(res.status, 200, `consistency ${from} → ${to} is public`);
      return res.text();
    };
    const c12 = await consistency(head1.treeSize, head2.treeSize);
    const c13 = await consistency(head1.treeSize, head3.treeSize);
    const c23 = await consistency(head2.treeSize, head3.treeSize);
    const c33 = await consistency(head3.treeSize, head3.treeSize);
    t.ok(c13.startsWith(`old ${head1.treeSize}\n`) && c13.endsWith(`\n\n${cp3}`), 'a tlog-witness add-checkpoint body');
    t.equal(c33, `old ${head3.treeSize}\n\n${cp3}`, 'no proof from a tree to itself');
    t.equal((await get(`/v1/audit/checkpoints/${head2.treeSize}/consistency?old=${head3.treeSize}`)).status, 400, 'old beyond the checkpoint');

    // Forgeries. Another key claiming the log's name; a fork: a second history of size head1,
    // signed with the log's own key (what a log showing different views to different parties signs).
    const other = generateKeyPairSync('ed25519');
    const otherText = checkpointText(origin, head3.treeSize, head3.rootHash);
    const byOtherKey = formatNote(otherText, [signNoteLine(otherText, origin, other.privateKey, other.publicKey)]);
    const forkLeaves = Array.from({ length: head1.treeSize }, (_, i) => ctx.leaves.levels.leaf(i));
    forkLeaves[head1.treeSize - 1] = leafHash(randomBytes(32).toString('hex'));
    const forkText = checkpointText(origin, head1.treeSize, treeRoot(forkLeaves).toString('hex'));
    const fork = formatNote(forkText, [signNoteLine(forkText, origin, ctx.key.privateKey, ctx.key.publicKey)]);
    const forkAtNew = checkpointText(origin, head3.treeSize, randomBytes(32).toString('hex'));
    const forkNew = formatNote(forkAtNew, [signNoteLine(forkAtNew, origin, ctx.key.privateKey, ctx.key.publicKey)]);
    const rootB64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

    const checks: Check[] = [
      { name: 'checkpoint 1', kind: 'checkpoint', expect: true, checkpoint: cp1 },
      { name: 'checkpoint 2', kind: 'checkpoint', expect: true, checkpoint: cp2 },
      { name: 'checkpoint 3', kind: 'checkpoint', expect: true, checkpoint: cp3 },
      { name: 'the fork is signed by the log key', kind: 'checkpoint', expect: true, checkpoint: fork },
      { name: 'proof of leaf 0 in head 1', kind: 'proof', expect: true, proof: proofFirst, eventHash: first.hash },
      { name: 'proof of the last leaf of head 1', kind: 'proof', expect: true, proof: proofLast, eventHash: lastOf1.hash },
      { name: 'proof of a middle leaf in head 2', kind: 'proof', expect: true, proof: proofMiddle, eventHash: middle.hash },
      { name: 'proof of a tree head event in the latest head', kind: 'proof', expect: true, proof: proofHead, eventHash: aHead.hash },
      { name: 'consistency 1 → 2', kind: 'consistency', expect: true, old: cp1, body: c12 },
      { name: 'consistency 1 → 3', kind: 'consistency', expect: true, old: cp1, body: c13 },
      { name: 'consistency 2 → 3', kind: 'consistency', expect: true, old: cp2, body: c23 },
      { name: 'consistency 3 → 3', kind: 'consistency', expect: true, old: cp3, body: c33 },

      { name: 'a checkpoint signed by another key', kind: 'checkpoint', expect: false, checkpoint: byOtherKey },
      { name: 'a checkpoint with a changed size', kind: 'checkpoint', expect: false, checkpoint: editLine(cp3, 1, String(head3.treeSize + 1)) },
      { name: 'a checkpoint with a changed root', kind: 'checkpoint', expect: false, checkpoint: editLine(cp3, 2, rootB64(head2.rootHash)) },
      { name: 'a checkpoint of another origin', kind: 'checkpoint', expect: false, checkpoint: editLine(cp3, 0, 'example.com/other-log') },
      { name: 'a proof for the wrong leaf', kind: 'proof', expect: false, proof: proofFirst, eventHash: events[1]!.hash },
      { name: 'a proof moved to another index', kind: 'proof', expect: false, proof: proofMiddle.replace(/^index \d+$/m, `index ${events.indexOf(middle) + 1}`), eventHash: middle.hash },
      { name: 'a proof whose checkpoint another key signed', kind: 'proof', expect: false, proof: proofHead.replace(cp3, byOtherKey), eventHash: aHead.hash },
      { name: 'consistency across a fork (the old checkpoint)', kind: 'consistency', expect: false, old: fork, body: c13 },
      { name: 'consistency across a fork (the new checkpoint)', kind: 'consistency', expect: false, old: cp1, body: c13.replace(cp3, forkNew) },
      { name: 'consistency from another head, its proof from head 1', kind: 'consistency', expect: false, old: cp2, body: c13.replace(/^old \d+/, `old ${head2.treeSize}`) },
      { name: 'consistency with a proof line dropped', kind: 'consistency', expect: false, old: cp1, body: c13.replace(/^old \d+\n[^\n]+\n/, `old ${head1.treeSize}\n`) },
    ];

    t.test('Go verifies them', { skip: skipGo ? `Go verification skipped: ${skipGo}` : false }, async (t) => {
      const results = runGo(vkey, origin, checks);
      for (const c of checks) {
        const r = results.get(c.name);
        t.equal(r?.ok, c.expect, `${c.expect ? 'accepted' : 'refused'} by Go: ${c.name}${r?.error ? ` (${r.error})` : ''}`);
      }
    });
  });
}
