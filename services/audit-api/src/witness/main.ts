#!/usr/bin/env -S node --import tsx
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cosignerVerifierKey } from '../checkpoint/cosignature.js';
import { cosignLatest, generateWitnessKey, loadWitnessKey, LogHttpError, WitnessRefusal } from './witness.js';

export const EXIT = { ok: 0, refused: 1, usage: 2, http: 3, unexpected: 4 } as const;

const HELP = `witness — cosigns a Gongguan audit log's checkpoints (C2SP tlog-cosignature), never two that fork

usage:
  witness keygen --name <witness name> --key <file>      new Ed25519 key (PKCS#8 PEM, mode 600); prints the
                                                         verifier key to put in the log's AUDIT_WITNESS_KEYS
  witness vkey --name <witness name> --key <file>        prints the verifier key of an existing key
  witness cosign --name <witness name> --key <file> --state <file> --log-key <vkey> [--log-key <vkey> …]
                 [--url <log URL>] [--token <bearer token>]
                                                         fetches the latest checkpoint, checks the log's signature
                                                         and the consistency with the last one cosigned, signs,
                                                         records the state (atomically), posts the cosignature

options: --url (env GONGGUAN_URL, default http://127.0.0.1:3000), --token (env GONGGUAN_TOKEN; not needed by
         the log itself, whose checkpoint and cosignature routes are public — for a proxy that asks one),
         --log-key (env WITNESS_LOG_KEYS, separated by commas or spaces): the log's verifier key(s), out of band
exit codes: 0 ok · 1 refused (fork, rollback, bad signature: nothing signed, state unchanged) · 2 usage
            · 3 HTTP error · 4 unexpected`;

class UsageError extends Error {}

export interface Io {
  out(line: string): void;
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

const processIo: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
};

/** Runs the witness command line; returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string' },
        key: { type: 'string' },
        state: { type: 'string' },
        'log-key': { type: 'string', multiple: true },
        url: { type: 'string' },
        token: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    const [command] = positionals;
    if (values.help || command === undefined) {
      io.out(HELP);
      return values.help ? EXIT.ok : EXIT.usage;
    }
    const need = (value: string | undefined, flag: string): string => {
      if (value === undefined || value === '') throw new UsageError(`${command} needs --${flag}`);
      return value;
    };
    switch (command) {
      case 'keygen':
        io.out(generateWitnessKey(need(values.key, 'key'), need(values.name, 'name')));
        return EXIT.ok;
      case 'vkey': {
        const key = loadWitnessKey(need(values.key, 'key'), need(values.name, 'name'));
        io.out(cosignerVerifierKey(key.name, key.publicKey));
        return EXIT.ok;
      }
      case 'cosign': {
        const logKeys = values['log-key'] ?? (io.env.WITNESS_LOG_KEYS ?? '').split(/[\s,]+/).filter((k) => k !== '');
        if (logKeys.length === 0) throw new UsageError('cosign needs the log\'s verifier key: --log-key <vkey> (or WITNESS_LOG_KEYS)');
        const token = values.token ?? io.env.GONGGUAN_TOKEN;
        const result = await cosignLatest({
          url: values.url ?? io.env.GONGGUAN_URL ?? 'http://127.0.0.1:3000',
          ...(token ? { token } : {}),
          logKeys,
          witness: loadWitnessKey(need(values.key, 'key'), need(values.name, 'name')),
          statePath: need(values.state, 'state'),
        });
        io.out(
          result.signedNow
            ? `cosigned ${result.origin} at size ${result.treeSize}${result.previousSize === null ? ' (first checkpoint seen)' : `, consistent with size ${result.previousSize}`}`
            : `${result.origin} at size ${result.treeSize} was cosigned before; the cosignature was posted again`,
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (err) {
    if (err instanceof WitnessRefusal) {
      io.err(`refused: ${err.message}`);
      return EXIT.refused;
    }
    if (err instanceof LogHttpError) {
      io.err(`log error: ${err.message}`);
      return EXIT.http;
    }
    if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`${(err as Error).message}\n\n${HELP}`);
      return EXIT.usage;
    }
    io.err(`error: ${(err as Error).message}`);
    return EXIT.unexpected;
  }
}

if (process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
