/**
 * Boots the lifecycle API for a benchmark: a fresh PostgreSQL database (dropped afterwards) or an
 * embedded PGlite in a temp dir (removed afterwards), the server in a child process of its own
 * (`server.ts`), tokens signed with the run's development key, and the story's setup over HTTP.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDevKeys, readPrivateJwk, signToken, type Role } from '@gongguan/platform';
import { createPostgresDatabase, type TestDatabase } from '@gongguan/platform/testing';
import { client } from './load.js';

export type Kind = 'postgres' | 'pglite';

export const BASE_DATABASE_URL = process.env.BENCH_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface Storage {
  kind: Kind;
  dataDir: string;
  /** PostgreSQL only. */
  database?: TestDatabase;
  dispose(): Promise<void>;
}

export async function createStorage(kind: Kind): Promise<Storage> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-bench-'));
  const database = kind === 'postgres' ? await createPostgresDatabase(BASE_DATABASE_URL) : undefined;
  return {
    kind,
    dataDir,
    ...(database ? { database } : {}),
    async dispose() {
      if (database) await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Server {
  url: URL;
  child: ChildProcess;
  setClock(iso: string): Promise<void>;
  /** CPU time the server process has used so far, ms (user + system). */
  cpuMs(): Promise<number>;
  /** Starts a V8 CPU profile of the server (`alloc`: a sampling heap profile of all it allocates; `promoted`: of what outlives minor GCs); `stopProfile` writes it to `file`. */
  startProfile(kind?: 'cpu' | 'alloc' | 'promoted'): Promise<void>;
  stopProfile(file: string): Promise<void>;
  close(): Promise<void>;
  /** A token of `subject` with `role`; of `bureau` (a GB/T 2260 code) when given, else without the claim (the default bureau, 331000). */
  token(role: Role, subject: string, bureau?: string): Promise<string>;
}

/**
 * Starts `server.ts` on the storage; `extraExecArgv` adds node flags; `root`, another checkout of
 * this repository (installed), runs that checkout's server instead, to compare two commits;
 * `script` another server of this directory (`reporting-server.ts`).
 */
export async function startServer(storage: Storage, extraExecArgv: string[] = [], extraEnv: NodeJS.ProcessEnv = {}, root?: string, script = 'server.ts'): Promise<Server> {
  const keys = await ensureDevKeys(storage.dataDir);
  const privateJwk = readPrivateJwk(keys.privateJwk);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GONGGUAN_ENV: 'development',
    // As in production: info (one line a request), into a file in the run's data
    // directory, as a service manager would take them. BENCH_LOG_LEVEL=silent measures without.
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
    RATE_LIMIT_COMMANDS_PER_MINUTE: '0',
    RATE_LIMIT_READS_PER_MINUTE: '0',
    DATA_DIR: storage.dataDir,
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  if (storage.database?.url) env.DATABASE_URL = storage.database.url;
  const file = root ? join(resolve(root), 'scripts/bench', script) : fileURLToPath(new URL(`./${script}`, import.meta.url));
  const logFile = join(storage.dataDir, `server-${Date.now()}.log`);
  const log = openSync(logFile, 'a');
  const child = fork(file, [], {
    ...(root ? { cwd: resolve(root) } : {}),
    env,
    // BENCH_SERVER_NODE_ARGS: extra Node options for the server only (e.g. --max-semi-space-size=32), to compare runtime settings.
    execArgv: ['--import', 'tsx', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), ...extraExecArgv],
    stdio: ['ignore', log, 'inherit', 'ipc'],
  });
  closeSync(log);
  let seq = 0;
  const waiting = new Map<number, (m: { cpuMs?: number }) => void>();
  const url = await new Promise<URL>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the benchmark server exited with ${code} before listening; its log ends:\n${readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n')}`)));
    child.on('message', (m: { url?: string; id?: number; cpuMs?: number }) => {
      if (m.url) resolve(new URL(m.url));
      if (m.id !== undefined) {
        waiting.get(m.id)?.(m);
        waiting.delete(m.id);
      }
    });
  });
  const ask = (message: object) =>
    new Promise<{ cpuMs?: number }>((resolve) => {
      const id = ++seq;
      waiting.set(id, resolve);
      child.send({ ...message, id });
    });
  return {
    url,
    child,
    setClock: async (iso) => {
      await ask({ clock: iso });
    },
    cpuMs: async () => (await ask({ cpu: true })).cpuMs ?? Number.NaN,
    startProfile: async (kind = 'cpu') => {
      await ask({ profile: 'start', kind });
    },
    stopProfile: async (file) => {
      await ask({ profile: 'stop', file });
    },
    async close() {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      await ask({ close: true });
      await exited;
    },
    token: (role, subject, bureau) => signToken(privateJwk, { subject, roles: [role], ...(bureau === undefined ? {} : { bureau }) }),
  };
}

export const CODES = { lead: '91331000MA2AB12341', university: '12331000470000001L' };

export interface Cast {
  alice: string;
  bob: string;
  chen: string;
}

/** The story's people; of `bureau` when given (a programme's commands come from its own bureau's tokens). */
export async function cast(server: Server, bureau?: string): Promise<Cast> {
  return { alice: await server.token('officer', 'alice', bureau), bob: await server.token('officer', 'bob', bureau), chen: await server.token('reviewer', 'expert-chen', bureau) };
}

/** The days of `projectsInPublicity`: clocks the server is set to (when it has a test clock) and the dates in the commands. */
export interface StoryDays {
  /** The server's clock while the programme opens, while proposals come, and after; undefined: the server keeps real time. */
  clocks?: { opening: string; proposals: string; after: string };
  opensOn: string;
  closesOn: string;
  publicityStartsOn: string;
}

/** 2018: the bench server's clock is held in the programme's publicity. */
export const STORY_DAYS_2018: StoryDays = {
  clocks: { opening: '2018-05-01T02:00:00Z', proposals: '2018-06-01T02:00:00Z', after: '2018-07-05T02:00:00Z' },
  opensOn: '2018-05-01',
  closesOn: '2018-07-31',
  publicityStartsOn: '2018-07-01',
};

/** Today, for a server on real time (`pnpm start`): everything happens on `today` (YYYY-MM-DD). */
export function storyDaysFrom(today: string): StoryDays {
  const later = new Date(`${today}T00:00:00Z`);
  later.setUTCDate(later.getUTCDate() + 60);
  return { opensOn: today, closesOn: later.toISOString().slice(0, 10), publicityStartsOn: today };
}

/**
 * The story of test/support/story.ts, many projects at once: a programme opened on 2018-05-01,
 * `count` proposals submitted on 2018-06-01 and taken through formal review, a reviewer, a score
 * and publicity from 2018-07-01 (objections are taken until the publicity ends); the clock is
 * left on 2018-07-05, inside publicity. Other `days` (storyDaysFrom) run it on a server on real time.
 */
export async function projectsInPublicity(server: Pick<Server, 'url' | 'setClock'>, people: Cast, programmeId: string, count: number, concurrency = 16, days: StoryDays = STORY_DAYS_2018): Promise<string[]> {
  const via = client(server.url, concurrency);
  const post = async (path: string, token: string, body: unknown) => {
    const reply = await via.send({ method: 'POST', path, token, body: Buffer.from(JSON.stringify(body)) });
    if (reply.status >= 300) throw new Error(`POST ${path} → ${reply.status} ${reply.body}`);
  };
  if (days.clocks) await server.setClock(days.clocks.opening);
  await post('/v1/programmes', people.alice, { programmeId, name: `Programme ${programmeId}`, bureau: 'Taizhou S&T Bureau', quota: 10, focusIndustries: ['pumps'] });
  await post(`/v1/programmes/${programmeId}/solicitation/opening`, people.alice, { opensOn: days.opensOn, closesOn: days.closesOn });
  if (days.clocks) await server.setClock(days.clocks.proposals);
  const ids = Array.from({ length: count }, (_, i) => `${programmeId}-p${String(i).padStart(4, '0')}`);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ids.length) {
        const projectId = ids[next++]!;
        await post(`/v1/programmes/${programmeId}/proposals`, people.alice, {
          projectId, title: `Project ${projectId}`, leadEnterprise: { name: 'Taizhou Pump Co.', creditCode: CODES.lead }, partners: [],
          industry: 'pumps', county: 'Wenling', principalInvestigator: { name: 'Wang Wei' }, keyTechnologies: ['hydraulics'], requestedFunding: 300_000_000,
        });
        const P = `/v1/projects/${projectId}`;
        await post(`${P}/formal-review`, people.bob, { passed: true });
        await post(`${P}/reviewers`, people.alice, { reviewerId: 'expert-chen', name: 'Chen Jun', employerCreditCode: CODES.university });
        await post(`${P}/scores`, people.chen, { score: 80 });
        await post(`${P}/publicity`, people.alice, { startsOn: days.publicityStartsOn });
      }
    }),
  );
  via.destroy();
  if (days.clocks) await server.setClock(days.clocks.after);
  return ids;
}

/** The benchmark's command: an objection lodged during publicity (the server makes its id). */
export const OBJECTION = Buffer.from(JSON.stringify({ lodgedOn: '2018-07-04', summary: 'Applicant overstated its patents' }));
