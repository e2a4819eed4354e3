import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { createLogger } from '@gongguan/platform';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { loadTreeHeadKey } from '../src/keys/tree-head-key.js';
import { createSealer } from '../src/tree-heads/sealer.js';
import { appendOtherProject, appendStory, auditApp, PROJECT_ID } from './fixtures/story.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

/** A fresh Ed25519 private key file, as `openssl genpkey -algorithm ed25519` writes one. */
function keyFile(t: Test, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gongguan-keys-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, `${name}.pem`);
  writeFileSync(path, generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  return path;
}

const seal = { actorId: 'admin-1', actorRole: 'admin', correlationId: 'c' };

for (const target of targets) {
  const probe = await target();
  const name = probe.name;
  await probe.drop();

  t.test(`${name}: after a restart with a new key, heads of both keys verify and both keys are listed with their validity`, async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const sql = await db.open();
    const keyA = keyFile(t, 'a');
    const keyB = keyFile(t, 'b');

    const first = await auditApp(t, sql, { AUDIT_SIGNING_KEY_FILE: keyA });
    await appendStory(first.store);
    const headA = (await first.ctx.sealer.seal(seal)).head;
    t.equal(headA.keyId, first.ctx.key.keyId);
    const again = await auditApp(t, sql, { AUDIT_SIGNING_KEY_FILE: keyA });
    t.equal((await again.ctx.keys.list()).length, 1, 'a restart with the same key registers nothing');

    const second = await auditApp(t, sql, { AUDIT_SIGNING_KEY_FILE: keyB });
    t.not(second.ctx.key.keyId, headA.keyId);
    // Only the key's activation since the last head (an audit stream): a bundle reuses the old key's head.
    const bundle = await second.app.inject({ method: 'GET', url: `/v1/audit/projects/${PROJECT_ID}/bundle`, headers: { authorization: `Bearer ${await second.token('auditor')}` } });
    t.equal(bundle.statusCode, 200, bundle.body.slice(0, 300));
    t.equal(bundle.json().manifest.treeHead.keyId, headA.keyId);
    t.equal(bundle.json().files['public-key.pem'], first.ctx.key.publicKeyPem, 'the bundle carries the key that signed its head, not the current one');
    await appendOtherProject(second.store, 'p-more-01');
    const headB = (await second.ctx.sealer.seal(seal)).head;
    t.equal(headB.keyId, second.ctx.key.keyId);

    const auditor = { authorization: `Bearer ${await second.token('auditor')}` };
    const report = (await second.app.inject({ method: 'GET', url: '/v1/audit/verify', headers: auditor })).json();
    t.match(report, { ok: true, problemCount: 0, treeHeads: { checked: 2 } }, 'the head signed by the old key still verifies');

    const listed = await second.app.inject({ method: 'GET', url: '/v1/audit/public-keys' });
    t.equal(listed.statusCode, 200, 'public, like /public-key');
    const keys = listed.json().keys;
    t.equal(keys.length, 2);
    t.match(keys[0], { keyId: headA.keyId, validFrom: null, current: false, publicKeyPem: first.ctx.key.publicKeyPem });
    t.match(keys[1], { keyId: headB.keyId, validUntil: null, current: true, publicKeyPem: second.ctx.key.publicKeyPem });
    t.equal(keys[0].validUntil, keys[1].activatedAt, "the old key's validity ends where the new one's begins");
    t.ok(Date.parse(keys[1].activatedAt) > Date.parse(headA.sealedAt) && Date.parse(keys[1].activatedAt) <= Date.parse(headB.sealedAt));
    t.match(keys[1].verifierKey, /^[^+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
    const current = (await second.app.inject({ method: 'GET', url: '/v1/audit/public-key', headers: auditor })).json();
    t.equal(current.keyId, headB.keyId, '/public-key is the current key');

    const old = await second.ctx.keys.byId(headA.keyId);
    t.equal(old?.publicKeyPem, first.ctx.key.publicKeyPem, 'byId gives the key a head names, for bundles');
    t.same(old?.periods, [{ validFrom: null, validUntil: keys[1].activatedAt }]);
    t.equal(await second.ctx.keys.byId('0'.repeat(64)), undefined);
  });

  t.test(`${name}: a head signed by the old key after the rotation (dated then, or backdated), and one by a key never registered, are reported`, async (t) => {
    const db = await target();
    t.teardown(() => db.drop());
    const sql = await db.open();
    const keyA = keyFile(t, 'a');
    const first = await auditApp(t, sql, { AUDIT_SIGNING_KEY_FILE: keyA });
    await appendStory(first.store);
    await first.ctx.sealer.seal(seal);
    const second = await auditApp(t, sql, { AUDIT_SIGNING_KEY_FILE: keyFile(t, 'b') });
    const logger = createLogger({ level: 'silent' });

    // A process still running with the old key after the new one was activated.
    await appendOtherProject(second.store, 'p-more-02');
    const stale = await createSealer({ store: second.store, leaves: second.ctx.leaves, key: first.ctx.key, origin: second.ctx.origin, logger }).seal(seal);
    // The old key again, its sealedAt backdated into its own validity: its place in the log gives it away.
    await appendOtherProject(second.store, 'p-more-03');
    const backdated = await createSealer({ store: second.store, leaves: second.ctx.leaves, key: first.ctx.key, origin: second.ctx.origin, logger, now: () => new Date(Date.now() - 3_600_000) }).seal(seal);
    const stranger = loadTreeHeadKey({ path: keyFile(t, 'c'), dataDir: second.dataDir, production: false });
    await appendOtherProject(second.store, 'p-more-04');
    const unknown = await createSealer({ store: second.store, leaves: second.ctx.leaves, key: stranger, origin: second.ctx.origin, logger }).seal(seal);

    const report = (await second.app.inject({ method: 'GET', url: '/v1/audit/verify', headers: { authorization: `Bearer ${await second.token('auditor')}` } })).json();
    t.equal(report.ok, false);
    t.match(
      report.problems.filter((p: { kind: string }) => p.kind.startsWith('tree-head-')),
      [
        { kind: 'tree-head-key-validity', eventId: stale.head.eventId, actual: stale.head.sealedAt },
        { kind: 'tree-head-key-validity', eventId: backdated.head.eventId, expected: second.ctx.key.keyId, actual: first.ctx.key.keyId },
        { kind: 'tree-head-unknown-key', eventId: unknown.head.eventId },
      ],
    );
    t.equal(report.problemCount, 3, 'the signatures themselves verify; nothing else is wrong');
  });
}
