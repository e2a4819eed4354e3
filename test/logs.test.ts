import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ensureDevKeys, readPrivateJwk, signToken } from '@gongguan/platform';
import { caller } from './support/api.js';
import { CODES } from './support/story.js';
import { launchArgs } from './support/process.js';

/** Runs the real all-in-one process at debug level, drives it, and reads every log line it wrote. */
t.test('the logs of a full run are JSON lines without tokens or personal data', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-logs-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const keys = await ensureDevKeys(dataDir);
  const officer = await signToken(readPrivateJwk(keys.privateJwk), { subject: 'alice', roles: ['officer'] });
  const child = spawn(process.execPath, launchArgs('scripts/start.ts'), {
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'debug', AUDIT_SEAL_INTERVAL_MS: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner:\n${stdout}\n${stderr}`)), 60_000);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const call = caller(url);
  const secretPhone = '13800138000';
  await call('POST', '/v1/programmes', { token: officer, body: { programmeId: 'tz-log', name: 'Log run', bureau: 'Bureau', quota: 2 } });
  await call('POST', '/v1/programmes/tz-log/solicitation/opening', { token: officer, body: { opensOn: '2018-05-01', closesOn: '2030-07-31' } });
  await call('POST', '/v1/programmes/tz-log/proposals', {
    token: officer,
    headers: { cookie: 'session=cookie-secret-123' },
    body: {
      projectId: 'p-log', title: 'Log test', leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: CODES.lead }, industry: 'pumps', county: 'Wenling',
      principalInvestigator: { name: 'Wang Xiaoming', title: secretPhone }, keyTechnologies: ['k'], requestedFunding: 1000,
    },
  });
  await call('POST', '/v1/projects/p-log/approval', { token: officer, body: {} });
  await call('POST', '/v1/projects/p-log/scores', { token: `${officer.slice(0, -4)}AAAA`, body: { score: 1 } });
  await call('GET', '/v1/projects/p-log', { token: officer });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.kill('SIGTERM');
  await exited;

  const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
  t.ok(lines.length > 10, `${lines.length} log lines`);
  const notJson = lines.filter((l) => {
    try {
      JSON.parse(l);
      return false;
    } catch {
      return true;
    }
  });
  t.same(notJson, [], 'every log line is JSON');
  // JSON.parse keeps the last of two equal keys; a reader that does not would see another value.
  const repeated = lines.filter((l) => Object.keys(JSON.parse(l) as object).some((key) => l.split(`"${key}":`).length > 2));
  t.same(repeated, [], 'no log line carries a key twice');
  t.ok(lines.some((l) => (JSON.parse(l) as { mount?: string }).mount === 'lifecycle-api'), 'lines of a mounted service say which (mount)');
  const everything = stdout + stderr;
  const signature = officer.split('.')[2]!;
  t.notOk(everything.includes(signature), 'no token (nor its signature) in the logs');
  t.notOk(everything.includes(officer.split('.')[1]!), 'no token claims in the logs');
  t.notOk(everything.includes('cookie-secret-123'), 'no cookies');
  t.notOk(everything.includes('Wang Xiaoming'), "no principal investigator's name");
  t.notOk(everything.includes(secretPhone), 'no phone numbers');
  t.ok(lines.some((l) => l.includes('"reqId"')), 'requests are logged with their id');
});
