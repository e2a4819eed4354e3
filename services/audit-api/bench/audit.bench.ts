// pnpm bench:audit — verification rate over 1,000,000 events beside a raw JCS + SHA-256 loop, and
// state-as-of latency for a 500-event project through the real store (PGlite, or PostgreSQL when
// DATABASE_URL is set: a fresh database is created beside it and dropped). Prints one JSON summary at the end.
import { hash, randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import { project } from '@gongguan/domain';
import { canonicalize, computeEventHash, createSqlEventStore, GENESIS_HASH, type HashedEnvelope } from '@gongguan/event-store';
import { createLogger } from '@gongguan/platform';
import { openPglite } from '@gongguan/platform/db';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { buildStreamHeads } from '../src/merkle/stream-heads.js';
import { createLogVerifier } from '../src/verify/log-verifier.js';
import { stateAsOf } from '../src/state/replay.js';
import { SnapshotCache } from '../src/state/snapshots.js';
import { appendEach } from '../test/fixtures/story.js';
import { inProgress, run } from '../../../packages/domain/test/fixtures/project-story.js';
import { projectCmd } from '../../../packages/domain/test/fixtures/commands.js';
import { officer } from '../../../packages/domain/test/fixtures/fixtures.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const CHUNK = 50_000;
const STREAMS = 10_000;

type Event = HashedEnvelope & { hash: string };

/** A chunk of realistic events (about 450 canonical bytes each), chained per stream across chunks. */
function generate(start: number, count: number, heads: Map<string, { revision: number; hash: string }>): Event[] {
  const events: Event[] = [];
  for (let i = start; i < start + count; i++) {
    const stream = `project-p-${i % STREAMS}`;
    const prev = heads.get(stream);
    const e: HashedEnvelope = {
      id: randomUUID(),
      stream,
      revision: prev ? prev.revision + 1 : 0,
      type: 'TrackingVisitRecorded',
      schemaVersion: 1,
      data: { projectId: `p-${i % STREAMS}`, visitId: `v-${i}`, visitedOn: '2019-03-04', findings: '现场检查：样机测试按计划推进，无异常', by: { id: 'officer-li', role: 'officer' }, at: '2019-03-04T10:00:00+08:00' },
      metadata: { actorId: 'officer-li', actorRole: 'officer', correlationId: `req-${i}`, causationId: null, recordedAt: '2019-03-04T02:00:00.123456Z', effectiveDate: '2019-03-04' },
      prevHash: prev ? prev.hash : GENESIS_HASH,
    };
    const hash = computeEventHash(e);
    heads.set(stream, { revision: e.revision, hash });
    events.push({ ...e, hash });
  }
  return events;
}

function rawLoop(events: readonly Event[]): number {
  let x = 0;
  for (const e of events) {
    const text = canonicalize({ data: e.data, id: e.id, metadata: e.metadata, prevHash: e.prevHash, revision: e.revision, schemaVersion: e.schemaVersion, stream: e.stream, type: e.type });
    // The same one-shot primitive the verifier uses (`crypto.hash`), so the ratio measures only the verifier's own work.
    x ^= hash('sha256', text, 'buffer')[0]!;
  }
  return x;
}

async function verificationRate() {
  const heads = new Map<string, { revision: number; hash: string }>();
  const verifier = createLogVerifier();
  let rawMs = 0;
  let verifyMs = 0;
  for (let start = 0; start < TOTAL; start += CHUNK) {
    const events = generate(start, Math.min(CHUNK, TOTAL - start), heads);
    // Alternate which loop goes first so neither always gets the warmer cache.
    const order = (start / CHUNK) % 2 === 0;
    for (const which of order ? ['raw', 'verify'] : ['verify', 'raw']) {
      const t0 = performance.now();
      if (which === 'raw') rawLoop(events);
      else for (const e of events) verifier.add(e);
      const dt = performance.now() - t0;
      if (which === 'raw') rawMs += dt;
      else verifyMs += dt;
    }
    process.stderr.write(`\r${start + CHUNK} / ${TOTAL}`);
  }
  const t0 = performance.now();
  const root = verifier.levels.rootAt(verifier.count).toString('hex');
  // Whole-store verification also recomputes the latest head's stream-head tree (one leaf per stream).
  const t1 = performance.now();
  const streamHeads = buildStreamHeads(verifier.streamHeads());
  const streamHeadsMs = performance.now() - t1;
  verifyMs += performance.now() - t0;
  process.stderr.write('\n');
  if (verifier.problemCount !== 0) throw new Error(`verification found ${verifier.problemCount} problems in generated data`);
  return {
    events: TOTAL,
    rawEventsPerSecond: Math.round(TOTAL / (rawMs / 1000)),
    verifyEventsPerSecond: Math.round(TOTAL / (verifyMs / 1000)),
    ratio: Number((rawMs / verifyMs).toFixed(3)),
    root,
    streamHeads: { streams: streamHeads.count, buildMs: Number(streamHeadsMs.toFixed(1)) },
  };
}

/** What a seal adds: building the stream-head tree of a log with this many streams (sorted, hashed, one proof). */
function streamHeadTreeCost(streams: number) {
  const heads = Array.from({ length: streams }, (_, i) => ({ stream: `project-p-${(i * 7919) % streams}-${i}`, revision: i % 500, hash: hash('sha256', String(i), 'hex') }));
  const t0 = performance.now();
  const tree = buildStreamHeads(heads);
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  for (let i = 0; i < 1000; i++) tree.head(heads[(i * 104729) % streams]!.stream);
  const proofUs = ((performance.now() - t1) / 1000) * 1000;
  return { streams, buildMs: Number(buildMs.toFixed(1)), proofMicroseconds: Number(proofUs.toFixed(1)) };
}

async function stateAsOfLatency() {
  const url = process.env.DATABASE_URL;
  // On PostgreSQL, a fresh database of its own next to the one named, dropped afterwards.
  const db = url ? await createPostgresDatabase(url) : undefined;
  const sql = db ? await db.open() : await openPglite(undefined);
  const store = await createSqlEventStore({ sql, logger: createLogger({ level: 'silent' }) });
  const projectId = `p-bench-${randomUUID().slice(0, 8)}`;
  const base = inProgress.map((e) => ({ ...e, data: { ...e.data, projectId } })) as typeof inProgress;
  const visits = Array.from({ length: 500 - base.length }, (_, i) =>
    projectCmd('RecordTrackingVisit', { visitId: `v${i}`, visitedOn: '2019-03-04', findings: 'on schedule' }, officer, '2019-03-05'),
  );
  const events = run(visits, base);
  await appendEach(store, project.streamName(projectId), events);
  const samples: number[] = [];
  // As the service does: one snapshot cache (a state kept every 32 revisions) for all requests.
  const snapshots = new SnapshotCache();
  const cold0 = performance.now();
  await stateAsOf(store, 'project', projectId, { atRevision: 499 }, snapshots);
  const coldMs = performance.now() - cold0;
  for (let i = 0; i < 50; i++) await stateAsOf(store, 'project', projectId, { atRevision: 499 }, snapshots); // warm-up
  for (let i = 0; i < 500; i++) {
    const t0 = performance.now();
    const r = await stateAsOf(store, 'project', projectId, { atRevision: 250 + (i % 250) }, snapshots);
    samples.push(performance.now() - t0);
    if (r.eventCount !== 251 + (i % 250)) throw new Error('wrong replay');
  }
  await store.close();
  if (db) await db.drop();
  else await sql.close();
  samples.sort((a, b) => a - b);
  const pct = (p: number) => Number(samples[Math.min(samples.length - 1, Math.floor((p / 100) * samples.length))]!.toFixed(2));
  return { database: url ? 'postgresql' : 'pglite', events: events.length, replaysAt: '250…499', coldMs: Number(coldMs.toFixed(2)), snapshotEvery: snapshots.every, p50Ms: pct(50), p99Ms: pct(99), maxMs: pct(100) };
}

const verification = await verificationRate();
const asOf = await stateAsOfLatency();
const sealStreamHeads = [10_000, 100_000].map(streamHeadTreeCost);
console.log(JSON.stringify({ node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, verification, stateAsOf: asOf, sealStreamHeads }, null, 2));
