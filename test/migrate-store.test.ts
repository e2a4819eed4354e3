import { randomUUID } from 'node:crypto';
import t, { type Test } from 'tap';
import { START_POSITION, verifyStreamChain, type EventStore, type EventToAppend, type RecordedEvent } from '@gongguan/event-store';
import { openPglite } from '@gongguan/platform/db';
import { createPostgresDatabase } from '@gongguan/platform/testing';
import { migrateStore, sqlEndpoint, type Endpoint } from '../scripts/migrate-store.js';

const STREAMS = 16;
const EVENTS = 240;

function event(i: number): EventToAppend {
  return {
    id: randomUUID(),
    type: i % 3 === 0 ? 'ProjectRegistered' : 'MilestoneReported',
    schemaVersion: 1 + (i % 2),
    data: { i, amountFen: String(i * 1000), note: i % 7 === 0 ? '高温超导 "quoted" \u0001' : 'plain' },
    metadata: { actorId: `officer-${i % 5}`, actorRole: 'officer', correlationId: `req-${i}`, ...(i % 4 === 0 ? { causationId: `cmd-${i}`, reason: 'why' } : {}) },
  };
}

/** Interleaved appends of 1–4 events over many streams, so the global order is not per stream. */
async function seed(store: EventStore): Promise<void> {
  const revisions = new Map<string, number>();
  for (let i = 0, k = 0; i < EVENTS; k++) {
    const stream = `project-P${k % STREAMS}`;
    const batch = Array.from({ length: Math.min(1 + (k % 4), EVENTS - i) }, (_, j) => event(i + j));
    const result = await store.append(stream, batch, { expectedRevision: revisions.get(stream) ?? 'no_stream' });
    revisions.set(stream, result.nextRevision);
    i += batch.length;
  }
}

async function everything(store: EventStore): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  for (let after = START_POSITION; ; ) {
    const page = await store.readAll({ after, limit: 10_000 });
    out.push(...page.events);
    after = page.position;
    if (page.caughtUp) return out;
  }
}

const envelope = ({ position: _position, ...rest }: RecordedEvent): Omit<RecordedEvent, 'position'> => rest;

async function exercise(t: Test, source: Endpoint, target: Endpoint): Promise<void> {
  await seed(source.store);
  const progress: number[] = [];
  const first = await migrateStore({ source, target, batch: 40, stopAfterBatches: 3, onProgress: (p) => progress.push(p.copied) });
  t.match(first, { copied: 120, skipped: 0, complete: false }, 'an interrupted copy stops between batches');
  t.same(progress, [40, 80, 120], 'progress after every batch');

  const second = await migrateStore({ source, target, batch: 40 });
  t.match(second, { copied: EVENTS - 120, skipped: 0, complete: true, verified: { streams: STREAMS, events: EVENTS } }, 'the re-run resumes where the target ends');

  const from = await everything(source.store);
  const to = await everything(target.store);
  t.same(to.map(envelope), from.map(envelope), 'same ids, streams, revisions, data, metadata, recordedAt and hashes, in the same order');
  for (let k = 0; k < STREAMS; k++) {
    t.match(verifyStreamChain(await target.store.readStream(`project-P${k}`)), { ok: true }, `project-P${k} verifies in the target`);
  }

  t.match(await migrateStore({ source, target, batch: 40 }), { copied: 0, complete: true }, 'a third run has nothing left to copy');
  t.same(await target.importer.importEvents(from.slice(0, 40)), { written: 0, skipped: 40 }, 'events already there are skipped after comparing id and hash');
  const tampered = from.slice(0, 1).map((e) => ({ ...e, id: randomUUID() }));
  await t.rejects(target.importer.importEvents(tampered), { name: 'ImportError' }, 'a different event at a copied revision is refused');

  const stream = 'project-P0';
  const [last] = await target.store.readStream(stream, { direction: 'backwards', limit: 1 });
  await target.store.append(stream, [event(9999)], { expectedRevision: last?.revision ?? -1 });
  t.match(verifyStreamChain(await target.store.readStream(stream)), { ok: true }, 'the target appends onto a copied chain');
  await t.rejects(migrateStore({ source, target, batch: 40 }), { name: 'ImportError', message: /not in the source/ }, 'a target that moved on is not mixed with the source');
}

t.test('PGlite → PGlite: a copy keeps everything, resumes after an interruption, and verifies', async (t) => {
  const source = await sqlEndpoint(await openPglite(undefined), { closeSql: true });
  const target = await sqlEndpoint(await openPglite(undefined), { closeSql: true });
  t.teardown(async () => {
    await source.close();
    await target.close();
  });
  await exercise(t, source, target);
});

const url = process.env.TEST_DATABASE_URL;
const skipPostgres = url ? false : 'PGlite → PostgreSQL copy skipped: TEST_DATABASE_URL not set';
if (skipPostgres) t.comment(skipPostgres);

t.test('PGlite → PostgreSQL: a copy keeps everything, resumes after an interruption, and verifies', { skip: skipPostgres }, async (t) => {
  if (!url) return;
  const db = await createPostgresDatabase(url);
  const source = await sqlEndpoint(await openPglite(undefined), { closeSql: true });
  const target = await sqlEndpoint(await db.open(), { closeSql: false });
  t.teardown(async () => {
    await source.close();
    await target.close();
    await db.drop();
  });
  await exercise(t, source, target);
});
