import { createHash, createPublicKey, verify } from 'node:crypto';
import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { START_POSITION, type Position, type RecordedEvent } from '@gongguan/event-store';
import { parseCheckpointText, parseNote, verifyNoteSignature } from '../src/checkpoint/note.js';
import { leafHash, treeRoot, verifyInclusion } from '../src/merkle/tree.js';
import { verifyStore } from '../src/verify/verify-store.js';
import { appendStory, auditApp, PROJECT_ID } from './fixtures/story.js';

// Written apart from src/merkle/stream-heads.ts: the stream heads of the first `size` events,
// their leaves from the bytes the README specifies, and the RFC 6962 root of tree.ts (not MerkleLevels).
function expectedStreamHeads(events: readonly RecordedEvent[], size: number) {
  const last = new Map<string, RecordedEvent>();
  for (const e of events.slice(0, size)) last.set(e.stream, e);
  const names = [...last.keys()].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const leaves = names.map((n) => {
    const e = last.get(n)!;
    const text = `{"hash":"${e.hash}","revision":${e.revision},"stream":${JSON.stringify(n)}}`;
    return createHash('sha256').update(Buffer.from([0])).update(text).digest();
  });
  return { names, count: names.length, root: treeRoot(leaves).toString('hex'), last };
}

async function allEvents(store: { readAll: (o: { after: Position; limit: number }) => Promise<{ events: RecordedEvent[]; position: Position; caughtUp: boolean }> }) {
  const out: RecordedEvent[] = [];
  let after: Position = START_POSITION;
  for (;;) {
    const page = await store.readAll({ after, limit: 1000 });
    out.push(...page.events);
    after = page.position;
    if (page.caughtUp || page.events.length === 0) return out;
  }
}

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  t.teardown(() => db.drop());
  t.test(`tree heads sign the stream heads and carry a C2SP checkpoint (${db.name})`, async (t) => {
    const sql = await db.open();
    const { app, ctx, store, token } = await auditApp(t, sql);
    const admin = { authorization: `Bearer ${await token('admin')}` };
    const auditor = { authorization: `Bearer ${await token('auditor')}` };
    await appendStory(store);

    const head1 = (await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: admin, payload: {} })).json();
    let events = await allEvents(store);
    const want1 = expectedStreamHeads(events, head1.treeSize);
    t.equal(head1.streamCount, want1.count, 'the head counts every stream of the covered events');
    t.equal(head1.streamHeadsRoot, want1.root, 'the stream-head root recomputes from the events');

    // The signature covers the v2 statement, byte for byte as the README writes it.
    const statement = `{"kind":"gongguan-tree-head/v2","rootHash":"${head1.rootHash}","sealedAt":"${head1.sealedAt}","streamCount":${head1.streamCount},"streamHeadsRoot":"${head1.streamHeadsRoot}","treeSize":${head1.treeSize}}`;
    const publicKey = createPublicKey((await app.inject({ method: 'GET', url: '/v1/audit/public-key', headers: auditor })).json().publicKeyPem);
    t.ok(verify(null, Buffer.from(statement), publicKey, Buffer.from(head1.signature, 'base64')), 'the v2 statement verifies');
    const tampered = statement.replace(`"streamCount":${head1.streamCount}`, `"streamCount":${head1.streamCount - 1}`);
    t.notOk(verify(null, Buffer.from(tampered), publicKey, Buffer.from(head1.signature, 'base64')), 'a head claiming one stream fewer does not');

    // The checkpoint: origin, size, base64 root, signed by the log key under the origin's name.
    t.equal(head1.origin, 'gongguan.local/audit', 'the default origin');
    const note = parseNote(head1.checkpoint);
    t.same(parseCheckpointText(note.text), { origin: head1.origin, treeSize: head1.treeSize, rootHash: head1.rootHash, extensions: [] });
    t.ok(verifyNoteSignature(note.text, note.signatures, head1.origin, publicKey), 'the checkpoint signature verifies');
    t.notOk(verifyNoteSignature(note.text.replace(`\n${head1.treeSize}\n`, `\n${head1.treeSize + 1}\n`), note.signatures, head1.origin, publicKey), 'not over another size');

    // Every stream's head proof leads to the signed root.
    for (const name of want1.names) {
      const res = await app.inject({ method: 'GET', url: `/v1/audit/streams/${encodeURIComponent(name)}/head`, headers: auditor });
      t.equal(res.statusCode, 200, name);
      const p = res.json();
      const e = want1.last.get(name)!;
      t.same([p.revision, p.hash, p.treeSize, p.streamHeadsRoot], [e.revision, e.hash, head1.treeSize, head1.streamHeadsRoot]);
      const leaf = createHash('sha256').update(Buffer.from([0])).update(`{"hash":"${e.hash}","revision":${e.revision},"stream":${JSON.stringify(name)}}`).digest();
      t.ok(verifyInclusion(leaf, p.index, p.streamCount, p.path.map((h: string) => Buffer.from(h, 'hex')), Buffer.from(head1.streamHeadsRoot, 'hex')), `${name}: proof verifies`);
    }
    t.equal((await app.inject({ method: 'GET', url: '/v1/audit/streams/project-nobody/head', headers: auditor })).statusCode, 404, 'a stream with no event: 404');

    // The log grows; the old head's stream heads are still served, from the witness in a new process.
    await store.append(`project-${PROJECT_ID}`, [{ id: crypto.randomUUID(), type: 'Note', schemaVersion: 1, data: { n: 1 }, metadata: { actorId: 'a', actorRole: 'admin', correlationId: 'c' } }], { expectedRevision: 'any' });
    const head2 = (await app.inject({ method: 'POST', url: '/v1/audit/tree-heads', headers: admin, payload: {} })).json();
    events = await allEvents(store);
    t.equal(head2.streamHeadsRoot, expectedStreamHeads(events, head2.treeSize).root, 'the second head too');
    t.not(head2.streamHeadsRoot, head1.streamHeadsRoot, 'a stream grew: the stream heads differ');
    // A second service on the same database: its leaf log knows nothing but the witness.
    const { ctx: fresh } = await auditApp(t, sql);
    const leaves = fresh.leaves;
    await leaves.catchUp();
    const old = await leaves.streamHeadsAt(head1.treeSize);
    t.equal(old.root.toString('hex'), head1.streamHeadsRoot, 'recomputed from the witness at the old size');
    t.equal(old.head(`project-${PROJECT_ID}`)?.revision, want1.last.get(`project-${PROJECT_ID}`)!.revision, 'the project stream as it was then');

    // Whole-store verification recomputes the latest head's stream heads.
    const v = await verifyStore({ store, sql, keys: await ctx.keys.all(), logger: { info() {} } });
    t.equal(v.ok, true, JSON.stringify(v.problems.slice(0, 3)));
    t.equal(v.treeHeads.streamHeadsChecked, 1);

    // An empty log seals an empty stream-head tree.
    t.equal(leafHash('0'.repeat(64)).length, 32);
  });
}
