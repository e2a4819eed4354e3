import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Sql } from '@gongguan/platform/db';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { cosignerVerifierKey, parseCosignerKey, signCosignatureLine, verifyCosignature } from '../src/checkpoint/cosignature.js';
import { parseNote, parseVerifierKey, verifierKey as noteVerifierKey, verifyNoteSignature } from '../src/checkpoint/note.js';
import { main } from '../src/witness/main.js';
import { appendOtherProject, appendStory, auditApp } from './fixtures/story.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const WITNESS = 'finance.example/witness';
const seal = { actorId: 'admin-1', actorRole: 'admin', correlationId: 'c' };

/** The log's verifier key, which its operator hands to witnesses out of band. */
const verifierKey = (audit: { ctx: { origin: string; key: { publicKey: KeyObject } } }) => noteVerifierKey(audit.ctx.origin, audit.ctx.key.publicKey);

/** The witness command line, run in this process; returns its exit code and what it printed. */
async function witness(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (l) => void (out += `${l}\n`), err: (l) => void (err += `${l}\n`), env: {} });
  return { code, out, err };
}

/** A log on its own database, listening, with the shared log key file and the witness configured. */
async function log(t: Test, sql: Sql, settings: Record<string, string>) {
  const audit = await auditApp(t, sql, settings);
  const url = await audit.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...audit, url };
}

for (const target of targets) {
  const probe = await target();
  const name = probe.name;
  await probe.drop();

  t.test(`${name}: a witness cosigns a growing log, and refuses a fork signed with the same key`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'gongguan-witness-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const logKeyFile = join(dir, 'log.pem');
    writeFileSync(logKeyFile, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
    const witnessKey = join(dir, 'witness.pem');
    const state = join(dir, 'witness-state.json');
    const keygen = await witness(['keygen', '--name', WITNESS, '--key', witnessKey]);
    t.equal(keygen.code, 0, keygen.err);
    const vkey = keygen.out.trim();
    t.equal(parseCosignerKey(vkey).name, WITNESS, 'keygen prints the verifier key for AUDIT_WITNESS_KEYS');
    t.equal((await witness(['vkey', '--name', WITNESS, '--key', witnessKey])).out.trim(), vkey);
    t.equal((await witness(['keygen', '--name', WITNESS, '--key', witnessKey])).code, 4, 'keygen never overwrites a key');

    const dbA = await target();
    t.teardown(() => dbA.drop());
    const dbB = await target();
    t.teardown(() => dbB.drop());
    const settings = { AUDIT_SIGNING_KEY_FILE: logKeyFile, AUDIT_WITNESS_KEYS: vkey };
    const a = await log(t, await dbA.open(), settings);
    const logKey = verifierKey(a);
    // No token: the checkpoint, the consistency body and the cosignature route are public.
    const cosign = (url: string, statePath = state, key = logKey) =>
      witness(['cosign', '--url', url, '--log-key', key, '--name', WITNESS, '--key', witnessKey, '--state', statePath]);

    await appendStory(a.store);
    const head1 = (await a.ctx.sealer.seal(seal)).head;
    const first = await cosign(a.url);
    t.equal(first.code, 0, first.err);
    t.match(first.out, `cosigned ${a.ctx.origin} at size ${head1.treeSize} (first checkpoint seen)`);
    const lines1 = await a.ctx.cosignatures.cosignatureLines(head1.treeSize);
    t.equal(lines1.length, 1);
    // The checkpoint with the witness line under it is a note both keys verify.
    const note = parseNote(`${head1.checkpoint!}${lines1[0]!}`);
    const logVerifier = parseVerifierKey(logKey);
    t.ok(verifyNoteSignature(note.text, note.signatures, logVerifier.name, logVerifier.publicKey), "the log's signature");
    t.match(verifyCosignature(note.text, note.signatures[1]!, parseCosignerKey(vkey)), { ok: true }, "the witness's cosignature");
    t.match(JSON.parse(readFileSync(state, 'utf8')), { origin: a.ctx.origin, treeSize: head1.treeSize, rootHash: head1.rootHash });

    const retry = await cosign(a.url);
    t.equal(retry.code, 0, retry.err);
    t.match(retry.out, 'was cosigned before');
    t.equal((await a.ctx.cosignatures.cosignatureLines(head1.treeSize)).length, 1, 'a retry stores nothing twice');

    await appendOtherProject(a.store, 'p-more-01');
    const head2 = (await a.ctx.sealer.seal(seal)).head;
    t.ok(head2.treeSize > head1.treeSize);
    const second = await cosign(a.url);
    t.equal(second.code, 0, second.err);
    t.match(second.out, `at size ${head2.treeSize}, consistent with size ${head1.treeSize}`);
    const listed = (await a.app.inject({ method: 'GET', url: `/v1/audit/checkpoints/${head2.treeSize}/cosignatures` })).json();
    t.match(listed.cosignatures, [{ witness: WITNESS, treeSize: head2.treeSize, rootHash: head2.rootHash }]);
    const served = (await a.app.inject({ method: 'GET', url: `/v1/audit/checkpoints/${head2.treeSize}` })).body;
    t.equal(served, `${head2.checkpoint!}${listed.cosignatures[0].line}`, 'the served checkpoint carries the witness line under the log signature');

    // The fork: the same key and origin, another history, a larger tree.
    const b = await log(t, await dbB.open(), settings);
    t.equal(verifierKey(b), logKey, 'the fork signs with the same log key');
    await appendStory(b.store);
    for (let i = 0; i < 6; i++) await appendOtherProject(b.store, `p-fork-${i}`);
    const forked = (await b.ctx.sealer.seal(seal)).head;
    t.ok(forked.treeSize > head2.treeSize, `the fork is larger (${forked.treeSize} > ${head2.treeSize})`);
    const stateBefore = readFileSync(state, 'utf8');
    const refused = await cosign(b.url);
    t.equal(refused.code, 1, 'the witness refuses');
    t.match(refused.err, `does not extend the tree of ${head2.treeSize} leaves this witness cosigned`);
    t.equal(readFileSync(state, 'utf8'), stateBefore, 'its state is unchanged');
    t.same(await b.ctx.cosignatures.cosignatureLines(forked.treeSize), [], 'the fork collected no cosignature');
    const forkServed = (await b.app.inject({ method: 'GET', url: '/v1/audit/checkpoint' })).body;
    t.equal(forkServed, forked.checkpoint, "the fork's served checkpoint has only the log's signature");
    t.equal(parseNote(forkServed).signatures.length, 1);

    // The same size with another root, and a smaller tree than the one cosigned, are refused too.
    const sameSize = join(dir, 'same-size.json');
    writeFileSync(sameSize, JSON.stringify({ ...JSON.parse(stateBefore), treeSize: forked.treeSize }));
    const atSameSize = await cosign(b.url, sameSize);
    t.equal(atSameSize.code, 1);
    t.match(atSameSize.err, `shows size ${forked.treeSize} with root ${forked.rootHash}, but this witness cosigned root ${head2.rootHash}`);
    const larger = join(dir, 'larger.json');
    writeFileSync(larger, JSON.stringify({ ...JSON.parse(stateBefore), treeSize: forked.treeSize + 1 }));
    const smaller = await cosign(b.url, larger);
    t.equal(smaller.code, 1);
    t.match(smaller.err, 'smaller than the');
    t.same(await b.ctx.cosignatures.cosignatureLines(forked.treeSize), []);

    // A checkpoint not signed by the log key the witness was given.
    const unsigned = await cosign(a.url, state, noteVerifierKey(a.ctx.origin, generateKeyPairSync('ed25519').publicKey));
    t.equal(unsigned.code, 1);
    t.match(unsigned.err, 'is not signed by a configured log key');
    t.equal((await cosign('http://127.0.0.1:1')).code, 3, 'a log it cannot reach: an HTTP error');
    writeFileSync(`${state}.lock`, '1\n');
    const locked = await cosign(a.url);
    t.equal(locked.code, 1, 'a second run at once refuses');
    t.match(locked.err, 'another witness run holds this state');
    rmSync(`${state}.lock`);
    t.equal((await cosign(a.url)).code, 0, 'and the lock is released after each run');
  });

  t.test(`${name}: the cosignature route takes only a configured witness's valid cosignature of a sealed checkpoint`, async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const known = generateKeyPairSync('ed25519');
    const stranger = generateKeyPairSync('ed25519');
    const vkey = cosignerVerifierKey(WITNESS, known.publicKey);
    const a = await auditApp(t, await db.open(), { AUDIT_WITNESS_KEYS: `${vkey}, ${cosignerVerifierKey('province.example/witness', generateKeyPairSync('ed25519').publicKey)}` });
    await appendStory(a.store);
    const head1 = (await a.ctx.sealer.seal(seal)).head;
    await appendOtherProject(a.store, 'p-more-03');
    const head2 = (await a.ctx.sealer.seal(seal)).head;
    const text = (head: typeof head1) => parseNote(head.checkpoint!).text;
    const now = BigInt(Math.floor(Date.now() / 1000));
    const post = async (treeSize: number, body: string) =>
      a.app.inject({ method: 'POST', url: `/v1/audit/checkpoints/${treeSize}/cosignatures`, headers: { 'content-type': 'text/plain' }, payload: body });
    const good = signCosignatureLine(text(head1), WITNESS, known.privateKey, known.publicKey, now);

    const cases: Array<[string, number, string, number, string]> = [
      ['a key that is not a configured witness', head1.treeSize, signCosignatureLine(text(head1), WITNESS, stranger.privateKey, stranger.publicKey, now), 403, 'UNKNOWN_WITNESS'],
      ["the witness's cosignature of another checkpoint", head2.treeSize, good, 409, 'COSIGNATURE_INVALID'],
      ['a time in the future', head1.treeSize, signCosignatureLine(text(head1), WITNESS, known.privateKey, known.publicKey, now + 3600n), 409, 'COSIGNATURE_INVALID'],
      ['no signature line', head1.treeSize, 'hello\n', 400, 'VALIDATION_FAILED'],
      ['a blank line among the lines', head1.treeSize, `${good}\n${good}`, 400, 'VALIDATION_FAILED'],
      ['a size never sealed', head1.treeSize + 1, good, 404, 'NOT_FOUND'],
    ];
    for (const [what, size, body, status, code] of cases) {
      const res = await post(size, body);
      t.equal(res.statusCode, status, `${what}: ${res.body}`);
      t.match(res.headers['content-type'], 'application/problem+json');
      t.equal(res.json().code, code, what);
    }
    t.same(await a.ctx.cosignatures.cosignatureLines(head1.treeSize), [], 'nothing was stored');
    t.same(await a.ctx.cosignatures.cosignatureLines(head2.treeSize), []);

    const created = await post(head1.treeSize, good);
    t.equal(created.statusCode, 201, created.body);
    t.match(created.json().cosignatures, [{ witness: WITNESS, new: true, line: good }]);
    const again = await post(head1.treeSize, signCosignatureLine(text(head1), WITNESS, known.privateKey, known.publicKey, now + 1n));
    t.equal(again.statusCode, 200, 'a second cosignature by the same witness of the same checkpoint is not stored');
    t.match(again.json().cosignatures, [{ new: false, line: good }]);
    t.same(await a.ctx.cosignatures.cosignatureLines(head1.treeSize), [good]);
    const withUnknown = await post(head1.treeSize, `${signCosignatureLine(text(head1), 'other.example/w', stranger.privateKey, stranger.publicKey, now)}${good}`);
    t.equal(withUnknown.statusCode, 200, 'lines of unknown keys beside a known one are ignored (tlog-witness)');
    const events = await a.store.readStream('audit-cosignatures');
    t.equal(events.length, 1);
    t.match(events[0], { type: 'CheckpointCosigned', metadata: { actorId: WITNESS, actorRole: 'witness' } });
  });
}
