import t from 'tap';
import { createDoorbell } from '../src/doorbell.js';
import type { RecordedEvent } from '../src/event-store.js';
import { positionFromParts, START_POSITION, type Position } from '../src/position.js';
import { follow, type FollowPage } from '../src/subscription.js';

/** An in-memory log behind `follow`'s read function, counting reads. */
function log() {
  const stored: RecordedEvent[] = [];
  let reads = 0;
  const read = async (after: Position, limit: number): Promise<FollowPage> => {
    reads++;
    const page = stored.filter((e) => e.position > after).slice(0, limit);
    const last = page[page.length - 1];
    return { events: page, position: last ? last.position : after, caughtUp: page.length < limit, held: false };
  };
  const append = (n: number): void => {
    const revision = stored.length;
    stored.push({ id: `e${n}`, stream: 's', revision, type: 'T', schemaVersion: 1, data: {}, metadata: {}, position: positionFromParts(1n, BigInt(revision + 1)) } as unknown as RecordedEvent);
  };
  return { read, append, reads: () => reads };
}

async function run(minWakeIntervalMs: number) {
  const { read, append, reads } = log();
  const bell = createDoorbell();
  const stop = new AbortController();
  const seen: string[] = [];
  const iterating = (async () => {
    for await (const item of follow(read, bell, { after: START_POSITION, batchSize: 100, signal: stop.signal, idlePollMs: 10_000, minWakeIntervalMs })) {
      if (item.kind === 'event') seen.push(item.event.id);
    }
  })();
  await new Promise((r) => setTimeout(r, 20));
  const before = reads();
  for (let i = 0; i < 40; i++) {
    append(i);
    bell.ring();
    await new Promise((r) => setTimeout(r, 5));
  }
  const deadline = Date.now() + 5_000;
  while (seen.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  stop.abort();
  await iterating;
  return { seen, liveReads: reads() - before };
}

t.test('minWakeIntervalMs: every event still arrives, in order, with far fewer reads', async (t) => {
  const eager = await run(0);
  const spaced = await run(150);
  const ids = Array.from({ length: 40 }, (_, i) => `e${i}`);
  t.same(eager.seen, ids);
  t.same(spaced.seen, ids, 'nothing lost or reordered by waiting');
  t.ok(eager.liveReads >= 30, `a read per wake-up without it (${eager.liveReads})`);
  t.ok(spaced.liveReads <= 6, `about one read per 150 ms with it (${spaced.liveReads} over ~250 ms of appends)`);
});

t.test('aborting during the wait ends the subscription promptly', async (t) => {
  const { read, append } = log();
  const bell = createDoorbell();
  const stop = new AbortController();
  const iterating = (async () => {
    for await (const _ of follow(read, bell, { after: START_POSITION, batchSize: 100, signal: stop.signal, idlePollMs: 10_000, minWakeIntervalMs: 60_000 })) void _;
  })();
  await new Promise((r) => setTimeout(r, 20));
  append(0);
  bell.ring();
  await new Promise((r) => setTimeout(r, 20));
  const started = Date.now();
  stop.abort();
  await iterating;
  t.ok(Date.now() - started < 1_000);
});
