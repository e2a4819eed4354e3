/**
 * Copies every event from one store to another, keeping ids, streams, revisions, metadata,
 * recordedAt and hashes, in the source's global order; resumable; verifies afterwards.
 *
 *   pnpm migrate-store --from pglite:./.data/pglite --to postgres://user:pass@host:5432/gongguan [--batch 1000]
 *   pnpm migrate-store --from postgres://… --to 'esdb://node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=ca.crt'
 *
 * Stop the services writing to either store first. Re-running continues after the last event the
 * target holds (found in the source by stream, revision, id and hash).
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  createSqlEventStore,
  createSqlImporter,
  ImportError,
  START_POSITION,
  verifyStreamChain,
  type EventImporter,
  type EventStore,
  type Position,
} from '@gongguan/event-store';
import { createEsdbEventStore } from '@gongguan/event-store/esdb';
import { openPglite, openPostgres, type Sql } from '@gongguan/platform/db';

/** One side of a copy: a store to read, and its import path to write. */
export interface Endpoint {
  store: EventStore;
  importer: EventImporter;
  close(): Promise<void>;
}

export async function sqlEndpoint(sql: Sql, options: { closeSql: boolean }): Promise<Endpoint> {
  const store = await createSqlEventStore({ sql, closeSql: options.closeSql });
  return { store, importer: createSqlImporter(sql), close: () => store.close() };
}

/** `pglite:DIR`, `postgres://…` (or `postgresql://…`), `esdb://…` (or `esdb+discover://…`). */
export async function openEndpoint(spec: string): Promise<Endpoint> {
  if (spec.startsWith('pglite:')) return sqlEndpoint(await openPglite(spec.slice('pglite:'.length)), { closeSql: true });
  if (/^postgres(ql)?:\/\//.test(spec)) return sqlEndpoint(openPostgres({ url: spec, poolSize: 4 }), { closeSql: true });
  if (/^esdb(\+discover)?:\/\//.test(spec)) {
    const store = createEsdbEventStore({ connectionString: spec });
    return { store, importer: store, close: () => store.close() };
  }
  throw new Error(`not a store: ${spec.replace(/\/\/[^@/]*@/, '//…@')} (expected pglite:DIR, postgres://… or esdb://…)`);
}

export interface Progress {
  copied: number;
  skipped: number;
  eventsPerSecond: number;
  position: Position;
}

export interface MigrateOptions {
  source: Endpoint;
  target: Endpoint;
  /** Events read and written per step; default 1000. */
  batch?: number;
  onProgress?: (progress: Progress) => void;
  /** Stops between batches (the copy resumes on the next run). */
  signal?: AbortSignal;
  /** Stops after this many batches: for tests of an interrupted copy. */
  stopAfterBatches?: number;
}

export interface MigrateResult {
  copied: number;
  skipped: number;
  complete: boolean;
  verified?: { streams: number; events: number };
}

/** Where to continue: after the source's copy of the last event the target holds. */
async function resumePoint(source: EventStore, target: EventImporter): Promise<Position> {
  const last = await target.lastStoredEvent();
  if (!last) return START_POSITION;
  const [there] = await source.readStream(last.stream, { fromRevision: last.revision, toRevision: last.revision }).catch(() => []);
  if (!there || there.id !== last.id || there.hash !== last.hash) {
    throw new ImportError(`the target's last event (${last.stream}@${last.revision}) is not in the source: refusing to mix histories`);
  }
  return there.position;
}

export async function migrateStore(options: MigrateOptions): Promise<MigrateResult> {
  const { source, target } = options;
  const batch = options.batch ?? 1000;
  let after = await resumePoint(source.store, target.importer);
  let copied = 0;
  let skipped = 0;
  const started = Date.now();
  for (let batches = 1; ; batches++) {
    const page = await source.store.readAll({ after, limit: batch });
    if (page.events.length > 0) {
      const result = await target.importer.importEvents(page.events);
      copied += result.written;
      skipped += result.skipped;
    }
    after = page.position;
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    options.onProgress?.({ copied, skipped, eventsPerSecond: Math.round(copied / seconds), position: after });
    if (page.caughtUp) break;
    if (options.signal?.aborted || (options.stopAfterBatches !== undefined && batches >= options.stopAfterBatches)) {
      return { copied, skipped, complete: false };
    }
  }
  return { copied, skipped, complete: true, verified: await verifyCopy(source.store, target.store) };
}

interface Summary {
  events: number;
  streams: Map<string, { count: number; lastHash: string }>;
}

/** Reads a whole store, verifying every stream's chain as it goes. */
async function summarise(store: EventStore, name: string): Promise<Summary> {
  const streams = new Map<string, { count: number; lastHash: string }>();
  let events = 0;
  for (let after = START_POSITION; ; ) {
    const page = await store.readAll({ after, limit: 5000 });
    for (const event of page.events) {
      const seen = streams.get(event.stream);
      const checked = verifyStreamChain([event], seen ? { previousHash: seen.lastHash } : {});
      if (!checked.ok || event.revision !== (seen?.count ?? 0)) {
        throw new ImportError(`${name}: the chain of ${event.stream} breaks at revision ${event.revision}${checked.ok ? ' (gap)' : ` (${checked.problem})`}`);
      }
      streams.set(event.stream, { count: (seen?.count ?? 0) + 1, lastHash: event.hash });
      events++;
    }
    after = page.position;
    if (page.caughtUp) return { events, streams };
  }
}

/** Every stream's chain verifies in both stores, and both hold the same streams, counts and last hashes. */
export async function verifyCopy(source: EventStore, target: EventStore): Promise<{ streams: number; events: number }> {
  const [from, to] = [await summarise(source, 'source'), await summarise(target, 'target')];
  const differences: string[] = [];
  if (from.events !== to.events) differences.push(`the source holds ${from.events} events, the target ${to.events}`);
  for (const [stream, s] of from.streams) {
    const t = to.streams.get(stream);
    if (!t) differences.push(`${stream} is missing from the target`);
    else if (t.count !== s.count || t.lastHash !== s.lastHash) differences.push(`${stream}: ${s.count} events in the source, ${t.count} in the target, or another last hash`);
  }
  for (const stream of to.streams.keys()) if (!from.streams.has(stream)) differences.push(`${stream} is only in the target`);
  if (differences.length > 0) throw new ImportError(`verification failed:\n  ${differences.slice(0, 20).join('\n  ')}`);
  return { streams: from.streams.size, events: from.events };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, batch: { type: 'string', default: '1000' }, help: { type: 'boolean' } } });
  const batch = Number(values.batch);
  if (values.help || !values.from || !values.to || !Number.isSafeInteger(batch) || batch < 1 || batch > 10_000) {
    process.stderr.write('usage: pnpm migrate-store --from <pglite:DIR|postgres://…|esdb://…> --to <…> [--batch 1..10000]\n');
    return values.help ? 0 : 64;
  }
  const stop = new AbortController();
  process.once('SIGINT', () => {
    process.stderr.write('\nstopping after this batch; run the same command again to resume\n');
    stop.abort();
  });
  let source: Endpoint;
  let target: Endpoint;
  try {
    source = await openEndpoint(values.from);
    target = await openEndpoint(values.to).catch(async (err: unknown) => {
      await source.close();
      throw err;
    });
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 64;
  }
  let lastPrint = 0;
  try {
    const result = await migrateStore({
      source,
      target,
      batch,
      signal: stop.signal,
      onProgress: (p) => {
        if (Date.now() - lastPrint < 1000) return;
        lastPrint = Date.now();
        process.stderr.write(`copied ${p.copied} events (${p.skipped} already there), ${p.eventsPerSecond} events/s, source position ${p.position}\n`);
      },
    });
    process.stderr.write(`copied ${result.copied} events (${result.skipped} already there)\n`);
    if (!result.complete) return 75;
    process.stderr.write(`verified: ${result.verified?.events ?? 0} events in ${result.verified?.streams ?? 0} streams, every chain intact, counts and last hashes equal\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await Promise.allSettled([source.close(), target.close()]);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
