import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { BureauDirectory, bureauLevel, parseEvent, type BureauEvent } from '@gongguan/domain';
import { START_POSITION, type RecordedEvent } from '@gongguan/event-store';
import { openEventStore } from '@gongguan/projector/tools';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { databaseKinds } from './support/system.js';

/**
 * `pnpm seed --province`, the shape of the full province (every city and county of Zhejiang
 * registered, programmes of each) with a small override (`--projects 150 --first-year 2025`: one
 * year) to keep the test short. The full size (10 years, > 3 million events) is BENCHMARKS.md's.
 */
const { kinds, skipped } = databaseKinds();
if (skipped) t.comment(skipped);

function seed(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`pnpm seed exited with ${code}:\n${out}`))));
  });
}

for (const kind of kinds) {
  t.test(`${kind}: pnpm seed --province registers the whole province and seeds programmes of its cities and counties`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-seed-province-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir };
    delete process.env.DATABASE_URL;
    if (kind === 'postgres') {
      const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
      env.DATABASE_URL = db.url;
      t.teardown(() => db.drop());
    }
    const args = ['--province', '--projects', '150', '--first-year', '2025'];
    const out = await seed(args, env);
    t.match(out, /seeding 11 cities and 90 counties of 浙江省 \(150 projects\)/);
    const loaded = /loaded 150 projects, (\d+) events/.exec(out);
    t.ok(loaded, 'it says what it loaded');

    const store = await openEventStore({ databaseUrl: env.DATABASE_URL, dataDir });
    const events: RecordedEvent[] = [];
    try {
      for (let after = START_POSITION; ; ) {
        const page = await store.readAll({ after, limit: 10_000 });
        events.push(...page.events);
        after = page.position;
        if (page.caughtUp) break;
      }
    } finally {
      await store.close();
    }
    t.equal(events.length, Number(loaded?.[1]), 'every event it counted is in the store');
    const directory = BureauDirectory.fromEvents(events.filter((e) => e.stream === 'bureaus-registry').map((e) => parseEvent(e) as BureauEvent));
    const levels = directory.all().map((b) => b.level);
    t.same([levels.filter((l) => l === 'province').length, levels.filter((l) => l === 'city').length, levels.filter((l) => l === 'county').length], [1, 11, 90]);
    const launched = events.filter((e) => e.type === 'ProgrammeLaunched').map((e) => String(e.data.bureauCode));
    t.equal(new Set(launched).size, 101, 'a programme of every city and every county');
    t.ok(launched.every((code) => directory.isRegistered(code) && bureauLevel(code) !== 'province'));
    const submitted = events.filter((e) => e.type === 'ProjectSubmitted');
    t.equal(submitted.length, 150);
    t.ok(submitted.every((e) => directory.isWithin(String(e.data.countyCode), String(e.data.bureauCode))), "every applicant's county lies under its programme's bureau");

    const again = await seed(args, env);
    t.match(again, /loaded 150 projects/, 'seeding again with the same options succeeds (writes nothing new)');
  });
}
