import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { lifecycleService } from '@gongguan/lifecycle-api';
import { serviceEventStore, START_POSITION, type EventStore } from '@gongguan/event-store';
import { baseConfigSchema, buildServer, ensureDevKeys, readPrivateJwk, signToken, type HttpApp, type Role, type ServiceMount } from '@gongguan/platform';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import type { Test } from 'tap';

/** A clock the test moves: business rules that look at "today" see the date the story is at. */
export function testClock(start: string) {
  let now = new Date(start);
  return {
    env: { now: () => now, newId: () => randomUUID() },
    set(iso: string) {
      now = new Date(iso);
    },
  };
}

export type DatabaseKind = 'pglite' | 'postgres';

export function databaseKinds(): { kinds: DatabaseKind[]; skipped?: string } {
  return process.env.TEST_DATABASE_URL
    ? { kinds: ['pglite', 'postgres'] }
    : { kinds: ['pglite'], skipped: 'PostgreSQL runs skipped: TEST_DATABASE_URL not set' };
}

export interface RunningSystem {
  app: HttpApp;
  url: string;
  dataDir: string;
  databaseUrl: string | undefined;
  /** The process's own event store, as the services see it. */
  store: EventStore;
  /** Every event in the store, counted through the store. */
  eventCount(): Promise<number>;
  /** A token of `subject` with `role`; of `bureau` (a GB/T 2260 code) when given, else without the claim (the default bureau, 331000). */
  token(role: Role | Role[], subject: string, bureau?: string): Promise<string>;
  /** Stops this process's server; the data stays for a restart. */
  stop(): Promise<void>;
  /** Starts again on the same data (a restart after a crash or deploy). */
  restart(services?: ServiceMount[]): Promise<RunningSystem>;
}

const schema = baseConfigSchema({ port: 0, serviceName: 'gongguan-test' });

/** Boots services on a real port over PGlite or a fresh PostgreSQL database; cleaned up at teardown. */
export async function startSystem(t: Test, kind: DatabaseKind, services: ServiceMount[], extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningSystem> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-e2e-'));
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    databaseUrl = db.url;
    t.teardown(() => db.drop());
  }
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const boot = async (mounts: ServiceMount[]): Promise<RunningSystem> => {
    const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent', ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...extraEnv };
    let store: EventStore | undefined;
    const probe: ServiceMount = {
      name: 'test-probe',
      async mount(_app, deps) {
        store = await serviceEventStore(deps);
      },
    };
    const { app } = await buildServer({ title: 'test', configSchema: schema, services: [...mounts, probe] }, env);
    if (!store) throw new Error('the probe saw no store');
    const theStore: EventStore = store;
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    let stopped = false;
    const stop = async () => {
      if (!stopped) {
        stopped = true;
        await app.close();
      }
    };
    t.teardown(stop);
    const keys = await ensureDevKeys(dataDir);
    const privateJwk = readPrivateJwk(keys.privateJwk);
    return {
      app,
      url,
      dataDir,
      databaseUrl,
      store: theStore,
      async eventCount() {
        let count = 0;
        let after = START_POSITION;
        for (;;) {
          const page = await theStore.readAll({ after, limit: 10_000 });
          count += page.events.length;
          after = page.position;
          if (page.caughtUp) return count;
        }
      },
      token: (role, subject, bureau) => signToken(privateJwk, { subject, roles: Array.isArray(role) ? role : [role], bureau }),
      stop,
      restart: async (next) => {
        await stop();
        return boot(next ?? mounts);
      },
    };
  };
  return boot(services);
}

export { lifecycleService };
