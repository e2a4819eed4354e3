import t from 'tap';
import fc from 'fast-check';
import type { EventStore } from '@gongguan/event-store';
import { inStreamTurn } from '../src/commands/stream-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

t.test('commands on one stream take turns in arrival order; other streams do not wait', async (t) => {
  const store = {} as EventStore;
  const log: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const first = inStreamTurn(store, ['a'], async () => {
    log.push('a1 in');
    await held;
    log.push('a1 out');
  });
  const second = inStreamTurn(store, ['a'], async () => void log.push('a2'));
  const other = inStreamTurn(store, ['b'], async () => void log.push('b'));
  await other;
  await tick();
  t.same(log, ['a1 in', 'b'], 'b ran while a was held; a2 waits');
  release();
  await Promise.all([first, second]);
  t.same(log, ['a1 in', 'b', 'a1 out', 'a2']);
});

t.test('a failing command hands the turn on', async (t) => {
  const store = {} as EventStore;
  await t.rejects(inStreamTurn(store, ['a'], async () => { throw new Error('refused'); }), /refused/);
  t.equal(await inStreamTurn(store, ['a'], async () => 'next'), 'next');
});

t.test('random commands over random sets of streams: never two at once on a stream, never stuck', async (t) => {
  const streams = ['p1', 'p2', 'p3', 'programme'];
  await fc.assert(
    fc.asyncProperty(fc.array(fc.record({ streams: fc.subarray(streams, { minLength: 1 }), yields: fc.nat(3) }), { minLength: 1, maxLength: 30 }), async (commands) => {
      const store = {} as EventStore;
      const busy = new Set<string>();
      let overlap = false;
      let ran = 0;
      await Promise.all(
        commands.map((c) =>
          inStreamTurn(store, [...c.streams].reverse(), async () => {
            if (c.streams.some((s) => busy.has(s))) overlap = true;
            for (const s of c.streams) busy.add(s);
            for (let i = 0; i < c.yields; i++) await tick();
            for (const s of c.streams) busy.delete(s);
            ran++;
          }),
        ),
      );
      return !overlap && ran === commands.length;
    }),
    { numRuns: 200 },
  );
  t.pass('200 random interleavings');
});
