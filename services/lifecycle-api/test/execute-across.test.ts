import { randomUUID } from 'node:crypto';
import t from 'tap';
import { currentSchemaVersion, programme, type EventType, type ProgrammeState } from '@gongguan/domain';
import { createSqlEventStore, type EventStore, type StreamAppend } from '@gongguan/event-store';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { AggregateCache } from '../src/commands/aggregate-cache.js';
import type { CommandContext } from '../src/commands/execute.js';
import { executeAcross } from '../src/commands/execute-across.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const officer = { id: 'alice', role: 'officer' as const };
let ids = 0;
const context = (store: EventStore, idSeed?: string): CommandContext => ({
  store,
  env: { now: () => new Date('2018-05-01T02:00:00Z'), newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, '0')}` },
  actor: officer,
  correlationId: 'req-1',
  bureau: '331000',
  idSeed,
  cache: new AggregateCache(100),
});

const launch = (programmeId: string, state: ProgrammeState) =>
  programme.decider.decide(
    { type: 'LaunchProgramme', actor: officer, at: '2018-05-01T02:00:00.000Z', data: programme.commandSchemas.LaunchProgramme.parse({ programmeId, name: 'P', bureau: 'B', bureauCode: '331000', quota: 1 }) },
    state,
  );

/** Launches programmes a and b in one decision. */
const launchBoth = (a: string, b: string) => ({
  parts: { a: { aggregate: programme, stream: programme.streamName(a) }, b: { aggregate: programme, stream: programme.streamName(b) } },
  step: 'launch',
  decide: (s: { a: ProgrammeState; b: ProgrammeState }) => ({ a: launch(a, s.a), b: launch(b, s.b) }),
});

for (const target of targets) {
  t.test('executeAcross', async (t) => {
    const db = await target();
    const store = await createSqlEventStore({ sql: await db.open() });
    t.teardown(async () => {
      await store.close();
      await db.drop();
    });
    const count = async () => (await store.readAll({ limit: 10_000 })).events.length;

    t.test(`${db.name}: a request retried with its key answers with what the first run wrote, writing nothing`, async (t) => {
      const first = await executeAcross(context(store, 'alice|key-1'), launchBoth('k1', 'k2'));
      const before = await count();
      // A fresh context (another process, no cache): the decision would now refuse ALREADY_EXISTS.
      const again = await executeAcross(context(store, 'alice|key-1'), launchBoth('k1', 'k2'));
      t.same(again, first);
      t.equal(await count(), before);
      await t.rejects(executeAcross(context(store), launchBoth('k1', 'k2')), { code: 'ALREADY_EXISTS' }, 'without the key it is decided again');
    });

    t.test(`${db.name}: a stale If-Match on one stream is 412 and nothing is written`, async (t) => {
      const before = await count();
      await t.rejects(executeAcross(context(store), { ...launchBoth('s1', 's2'), ifMatch: { part: 'a', revision: 0 } }), { code: 'PRECONDITION_FAILED' });
      t.equal(await count(), before);
    });

    t.test(`${db.name}: another stream that moved meanwhile is decided again; the If-Match stream moved is 412`, async (t) => {
      // A store whose next appendMulti is preceded by someone else's append to stream `moves`.
      const racing = (moves: string, event: { type: EventType; data: Record<string, unknown> }): EventStore => {
        let raced = false;
        return Object.assign(Object.create(store) as EventStore, {
          async appendMulti(appends: readonly StreamAppend[]) {
            if (!raced) {
              raced = true;
              const toAppend = [{ id: randomUUID(), type: event.type, schemaVersion: currentSchemaVersion[event.type], data: event.data, metadata: { actorId: 'racer', actorRole: 'officer', correlationId: 'race' } }];
              await store.append(moves, toAppend, { expectedRevision: 'any' });
            }
            return store.appendMulti(appends);
          },
        });
      };
      let decisions = 0;
      const [launchedB] = launch('m2', programme.decider.initialState);
      const done = await executeAcross(
        { ...context(racing(programme.streamName('m2'), launchedB!)), cache: undefined },
        {
          ...launchBoth('m1', 'm2'),
          decide: (s) => {
            decisions++;
            return { a: launch('m1', s.a), b: s.b.status === 'none' ? launch('m2', s.b) : [] };
          },
        },
      );
      t.equal(decisions, 2, 'decided again on the new state');
      t.equal(done.a.events.length, 1);
      t.equal(done.b.events.length, 0, 'the racer launched b');

      await executeAcross(context(store), launchBoth('x1', 'n2'));
      const focus = programme.decider.decide({ type: 'SetFocusIndustries', actor: officer, at: '2018-05-02T02:00:00.000Z', data: { focusIndustries: ['pumps'] } }, launch('n2', programme.decider.initialState).reduce(programme.decider.evolve, programme.decider.initialState))[0]!;
      const before = await count();
      await t.rejects(
        executeAcross(context(racing(programme.streamName('n2'), focus)), {
          ...launchBoth('n1', 'n2'),
          ifMatch: { part: 'b', revision: 0 },
          decide: (s) => ({ a: launch('n1', s.a), b: s.b.focusIndustries.length === 0 ? [focus] : [] }),
        }),
        { code: 'PRECONDITION_FAILED' },
      );
      t.equal(await count(), before + 1, "only the racer's event");
    });
  });
}
