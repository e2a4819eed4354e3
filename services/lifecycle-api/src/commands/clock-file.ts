import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Environment } from './ids.js';

/**
 * The business clock of a test process: "now" is the ISO instant written in the file named by
 * BUSINESS_CLOCK_FILE, read on every command, so a test that runs the service as its own process
 * can walk a project through its calendar (a publicity period must lie ahead of "today", so an
 * approval can only come days later). Refused when GONGGUAN_ENV=production; unset, the system clock.
 */
export function clockFileEnvironment(environment: NodeJS.ProcessEnv): Environment | undefined {
  const path = environment.BUSINESS_CLOCK_FILE;
  if (path === undefined || path === '') return undefined;
  if (environment.GONGGUAN_ENV === 'production') throw new Error('BUSINESS_CLOCK_FILE is for tests; it is refused when GONGGUAN_ENV=production');
  return {
    now() {
      const text = readFileSync(path, 'utf8').trim();
      const ms = Date.parse(text);
      if (Number.isNaN(ms)) throw new Error(`BUSINESS_CLOCK_FILE ${path} does not hold an ISO instant: ${text.slice(0, 40)}`);
      return new Date(ms);
    },
    newId: randomUUID,
  };
}
