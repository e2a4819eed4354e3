/**
 * Where the CPU goes during a phase, so a result on a shared machine can be read against what the
 * work itself costs: CPU ms per command of the server process, of the PostgreSQL backends serving
 * the benchmark's database (from /proc, Linux only) and of this load generator.
 */
import { readFileSync } from 'node:fs';
import type { Sql } from '@gongguan/platform/db';

const TICK_MS = 10; // USER_HZ is 100 on Linux

function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

async function backendTimes(sql: Sql, database: string): Promise<Map<number, number>> {
  const { rows } = await sql.query<{ pid: number }>('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [database]);
  const times = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = procCpuMs(pid);
    if (ms !== undefined) times.set(pid, ms);
  }
  return times;
}

export interface CpuSample {
  serverMs: number;
  postgresMs: number | null;
  loadMs: number;
  wallMs: number;
}

export interface CpuMeter {
  stop(): Promise<CpuSample>;
}

/**
 * Starts measuring. `sql`/`database` name the PostgreSQL database whose backends to count (none
 * on PGlite, which runs inside the server process).
 */
export async function startCpuMeter(serverCpuMs: () => Promise<number>, pg?: { sql: Sql; database: string }): Promise<CpuMeter> {
  const server0 = await serverCpuMs();
  const backends0 = pg ? await backendTimes(pg.sql, pg.database) : undefined;
  const load0 = process.cpuUsage();
  const wall0 = performance.now();
  return {
    async stop() {
      const load = process.cpuUsage(load0);
      const wallMs = performance.now() - wall0;
      const serverMs = (await serverCpuMs()) - server0;
      let postgresMs: number | null = null;
      if (pg && backends0) {
        const backends1 = await backendTimes(pg.sql, pg.database);
        postgresMs = 0;
        for (const [pid, ms] of backends1) postgresMs += ms - (backends0.get(pid) ?? 0);
      }
      return { serverMs, postgresMs, loadMs: (load.user + load.system) / 1000, wallMs };
    },
  };
}
