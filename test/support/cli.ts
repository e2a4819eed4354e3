import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** The repository's root, where `pnpm` would run the scripts. */
export const root = join(import.meta.dirname, '../..');

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script of the repository with this node (TypeScript through tsx), from the root. */
export function runScript(script: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, script), ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `pnpm gongguan …`: the auditor's and importer's command line. */
export const gongguan = (args: string[], env: NodeJS.ProcessEnv): Promise<Ran> => runScript('packages/client/src/cli/main.ts', args, env);
