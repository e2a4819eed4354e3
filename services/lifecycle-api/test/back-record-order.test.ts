/**
 * "A stream's effective dates never go backwards", under races: back-recorded commands with random
 * effective instants, fired concurrently through separate contexts (some sharing a cache, as
 * requests of one process do), on PGlite and PostgreSQL. Whatever the interleaving, the stream's
 * `at`s never decrease, every refusal is the ordering rule (or a bounded conflict) and wrote
 * nothing, and a command whose instant is at or after everything already written always lands.
 */
import t from 'tap';
import fc from 'fast-check';
import { programme } from '@gongguan/domain';
import { createSqlEventStore, type EventStore } from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { AggregateCache } from '../src/commands/aggregate-cache.js';
import { effectiveEnvironment, effectiveInstant } from '../src/commands/back-record.js';
import { execute, type CommandContext } from '../src/commands/execute.js';
import { systemEnvironment } from '../src/commands/ids.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

const clerk = { id: 'clerk-xu', role: 'officer' as const };
const NOW = new Date('2026-12-01T00:00:00Z');

function context(store: EventStore, date: string, cache: AggregateCache | undefined): CommandContext {
  const effectiveAt = effectiveInstant(date, NOW);
  return {
    store,
    env: effectiveEnvironment(systemEnvironment, effectiveAt),
    backRecord: { effectiveAt, by: clerk.id, role: clerk.role },
    actor: clerk,
    correlationId: `req-${date}`,
    bureau: '331000',
    cache,
  };
}

async function atsOf(store: EventStore, stream: string): Promise<string[]> {
  return (await store.readStream(stream)).map((e) => String(e.data.at));
}

for (const target of targets) {
  t.test('back-recorded commands racing on one stream', async (t) => {
    const db = await target();
    const store = await createSqlEventStore({ sql: await db.open() });
    t.teardown(async () => {
      await store.close();
      await db.drop();
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        // Day offsets from 2018-01-01, and which of two caches (or none) each request uses.
        fc.array(fc.record({ day: fc.integer({ min: 0, max: 400 }), cache: fc.constantFrom(0, 1, 2) }), { minLength: 2, maxLength: 8 }),
        async (commands) => {
          const programmeId = `race-${db.name}-${++run}`;
          const stream = programme.streamName(programmeId);
          const caches = [undefined, new AggregateCache(10), new AggregateCache(10)];
          await execute(context(store, '2018-01-01', undefined), {
            aggregate: programme, stream, type: 'LaunchProgramme', step: 'launch',
            data: { programmeId, name: 'P', bureau: 'B', bureauCode: '331000', quota: 1 },
          });
          const dateOf = (day: number) => new Date(Date.UTC(2018, 0, 1 + day)).toISOString().slice(0, 10);
          const outcomes = await Promise.all(
            commands.map(async ({ day, cache }, i) => {
              try {
                const result = await execute(context(store, dateOf(day), caches[cache]), {
                  aggregate: programme, stream, type: 'SetFocusIndustries', step: 'focus',
                  data: { focusIndustries: [`industry-${i}`] },
                  maxAttempts: 50,
                });
                return { ok: true as const, day, wrote: result.events.length };
              } catch (err) {
                if (isAppError(err) && err.code === 'EFFECTIVE_DATE_BEFORE_STREAM') return { ok: false as const, day };
                throw err;
              }
            }),
          );
          const ats = await atsOf(store, stream);
          for (let i = 1; i < ats.length; i++) if (ats[i]! < ats[i - 1]!) return false;
          // Everything accepted was written once; everything refused was not written.
          const accepted = outcomes.filter((o) => o.ok && o.wrote > 0).length;
          if (ats.length !== 1 + accepted) return false;
          // The latest date asked for is never refused: nothing can lie after it.
          const latest = Math.max(...commands.map((c) => c.day));
          return outcomes.some((o) => o.ok && o.day === latest);
        },
      ),
      { numRuns: 25 },
    );
    t.pass('25 random interleavings kept every stream in effective-date order');

    t.test('a live command follows back-recorded facts, and the marking is on the events', async (t) => {
      const stream = programme.streamName('live-after');
      await execute(context(store, '2018-03-01', undefined), {
        aggregate: programme, stream, type: 'LaunchProgramme', step: 'launch',
        data: { programmeId: 'live-after', name: 'P', bureau: 'B', bureauCode: '331000', quota: 1 },
      });
      await execute({ store, env: systemEnvironment, actor: clerk, correlationId: 'live', bureau: '331000' }, {
        aggregate: programme, stream, type: 'SetFocusIndustries', step: 'focus', data: { focusIndustries: ['pumps'] },
      });
      const events = await store.readStream(stream);
      t.same(events[0]!.metadata.backRecorded, { by: 'clerk-xu', role: 'officer' });
      t.equal(events[0]!.metadata.effectiveDate, '2018-03-01');
      t.equal(events[1]!.metadata.backRecorded, undefined);
      await t.rejects(
        execute(context(store, '2018-03-02', undefined), { aggregate: programme, stream, type: 'SetFocusIndustries', step: 'focus', data: { focusIndustries: ['moulds'] } }),
        { code: 'EFFECTIVE_DATE_BEFORE_STREAM' },
        'nothing can be back-recorded before a live fact',
      );
    });
  });
}
