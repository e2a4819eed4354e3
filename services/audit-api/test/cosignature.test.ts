import { createHash, generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { rawPublicKey } from '../src/keys/tree-head-key.js';
import { cosignatureMessage, cosignerVerifierKey, parseCosignerKey, signCosignatureLine, verifyCosignature } from '../src/checkpoint/cosignature.js';
import { checkpointText, parseNote, verifierKey } from '../src/checkpoint/note.js';
import { auditSettings, configSchema } from '../src/config.js';

const text = checkpointText('gongguan.local/audit', 42, 'ab'.repeat(32));
const witness = () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, cosigner: parseCosignerKey(cosignerVerifierKey('finance.example/witness', publicKey)) };
};
const lineOf = (note: string) => parseNote(note).signatures[0]!;

t.test('the signed message is the header line, the time line and the whole checkpoint text', async (t) => {
  t.equal(cosignatureMessage(text, 1679315147n).toString('utf8'), `cosignature/v1\ntime 1679315147\ngongguan.local/audit\n42\n${Buffer.alloc(32, 0xab).toString('base64')}\n`);
  t.throws(() => cosignatureMessage('no newline', 1n));
  t.throws(() => cosignatureMessage(text, 1n << 63n), /out of range/);
});

t.test('the verifier key is name + SHA-256(name ‖ 0x0A ‖ 0x04 ‖ key)[:4] + base64(0x04 ‖ key)', async (t) => {
  const { publicKey, cosigner } = witness();
  const raw = rawPublicKey(publicKey);
  const id = createHash('sha256').update('finance.example/witness\n').update(Buffer.from([0x04])).update(raw).digest().subarray(0, 4);
  t.equal(cosigner.vkey, `finance.example/witness+${id.toString('hex')}+${Buffer.concat([Buffer.from([0x04]), raw]).toString('base64')}`);
  t.same(cosigner.keyId, id);
  t.throws(() => parseCosignerKey(verifierKey('finance.example/witness', publicKey)), /type 0x04/, "a log's (0x01) key is not a witness key");
});

t.test("a verifier key whose base64 holds '+' parses (only the first two '+' separate fields)", async (t) => {
  for (let i = 0; i < 200; i++) {
    const { publicKey } = generateKeyPairSync('ed25519');
    const vkey = cosignerVerifierKey('finance.example/witness', publicKey);
    if (vkey.split('+').length <= 3) continue;
    t.same(rawPublicKey(parseCosignerKey(vkey).publicKey), rawPublicKey(publicKey));
    return;
  }
  t.fail('no key with a + in 200 tries');
});

t.test('a cosignature line is base64(key ID ‖ 8-byte big-endian time ‖ Ed25519 signature) and verifies', async (t) => {
  const { privateKey, publicKey, cosigner } = witness();
  const line = signCosignatureLine(text, 'finance.example/witness', privateKey, publicKey, 1_700_000_000n);
  t.match(line, /^— finance\.example\/witness [A-Za-z0-9+/]+=*\n$/);
  const bytes = Buffer.from(line.trim().split(' ')[2]!, 'base64');
  t.equal(bytes.length, 4 + 8 + 64);
  t.same(bytes.subarray(0, 4), cosigner.keyId);
  t.equal(bytes.readBigUInt64BE(4), 1_700_000_000n);
  t.same(verifyCosignature(text, lineOf(`${text}\n${line}`), cosigner), { ok: true, timestamp: 1_700_000_000n });

  const other = checkpointText('gongguan.local/audit', 43, 'ab'.repeat(32));
  t.match(verifyCosignature(other, lineOf(`${other}\n${line}`), cosigner), { ok: false }, 'not over another checkpoint');
  const shifted = Buffer.from(bytes);
  shifted.writeBigUInt64BE(1_700_000_001n, 4);
  t.match(verifyCosignature(text, lineOf(`${text}\n— finance.example/witness ${shifted.toString('base64')}\n`), cosigner), { ok: false }, 'the time is signed too');
  t.equal(verifyCosignature(text, lineOf(`${text}\n${line}`), witness().cosigner), undefined, "another witness's key does not claim the line");
});

t.test("the specification's example line decodes to its key ID, its time and a 64-byte signature", async (t) => {
  // From C2SP tlog-cosignature: the cosigned example's time line is `time 1679315147`.
  const example = 'jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==';
  const bytes = Buffer.from(example, 'base64');
  t.equal(bytes.length, 76);
  t.equal(bytes.readBigUInt64BE(4), 1679315147n);
});

t.test('AUDIT_WITNESS_KEYS takes witness verifier keys separated by commas or white space, and nothing else', async (t) => {
  const base = { DATA_DIR: '/tmp/x', GONGGUAN_ENV: 'test' };
  const one = witness().cosigner.vkey;
  const two = cosignerVerifierKey('province.example/witness', generateKeyPairSync('ed25519').publicKey);
  const parsed = configSchema.parse({ ...base, AUDIT_WITNESS_KEYS: `${one},\n ${two}` });
  t.same(auditSettings(parsed, {}).witnessKeys, [one, two]);
  t.same(auditSettings(configSchema.parse(base), {}).witnessKeys, [], 'none by default');
  t.same(auditSettings({ ...base }, { AUDIT_WITNESS_KEYS: two }).witnessKeys, [two], 'the all-in-one reads the environment');
  const bad: Array<[string, string]> = [
    ['not a key', 'finance.example/witness'],
    ["a log's (0x01) key", verifierKey('gongguan.local/audit', generateKeyPairSync('ed25519').publicKey)],
    ['a wrong key ID', one.replace(/\+([0-9a-f]{8})\+/, (_m, id: string) => `+${id === '00000000' ? '11111111' : '00000000'}+`)],
    ['two keys of one name', `${one} ${cosignerVerifierKey('finance.example/witness', generateKeyPairSync('ed25519').publicKey)}`],
  ];
  for (const [what, value] of bad) {
    t.notOk(configSchema.safeParse({ ...base, AUDIT_WITNESS_KEYS: value }).success, what);
  }
});
