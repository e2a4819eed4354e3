import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import type { Test } from 'tap';
import { environmentWithoutSettings, startEntry, type ChildServer } from '../../../../test/support/process.js';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/**
 * `pnpm start`'s entry as a real process on the production defaults (nothing of the test
 * runner's settings: GONGGUAN_ENV unset, so development with its demo sign-in; sealing every 5
 * minutes; the re-driver on), on a fresh data directory, or on a fresh PostgreSQL database.
 */
export async function startConsoleSystem(t: Test, kind: 'pglite' | 'postgres' = 'pglite', env: NodeJS.ProcessEnv = {}): Promise<ChildServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gongguan-console-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const db = await createPostgresDatabase(process.env.TEST_DATABASE_URL!);
    databaseUrl = db.url;
    t.teardown(() => db.drop());
  }
  const server = await startEntry(join(repoRoot, 'scripts/start.ts'), { DATA_DIR: dataDir, ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}), ...env }, environmentWithoutSettings());
  t.teardown(() => server.stop());
  return server;
}
