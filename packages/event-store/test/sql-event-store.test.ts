import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { createSqlEventStore } from '../src/index.js';
import { runEventStoreContract } from './contract.js';
import { events } from './contract/helpers.js';
import { countStatements } from './count-statements.js';

const { targets, skipped } = testDatabaseTargets();
if (skipped) t.comment(skipped);

for (const target of targets) {
  const db = await target();
  runEventStoreContract(t, {
    name: db.name,
    async create() {
      const sql = await db.open();
      const store = await createSqlEventStore({ sql });
      return {
        store,
        async cleanup() {
          await store.close();
          await db.drop();
        },
      };
    },
    // PGlite is one connection: writers interleave but never run in parallel, so fewer suffice.
    ...(db.name === 'pglite' ? { writers: 8, eventsPerWriter: 500 } : {}),
  });
}


for (const target of targets) {
  t.test('reading what came after a known revision is one query, also when nothing did', async (t) => {
    const db = await target();
    t.comment(db.name);
    // Only the statements that read the events table: the notifier's run on their own time.
    const counted = countStatements(await db.open(), (text) => text.includes('from event_store.events'));
    const store = await createSqlEventStore({ sql: counted.sql });
    t.teardown(async () => {
      await store.close();
      await db.drop();
    });
    await store.append('count-1', events(3), { expectedRevision: 'no_stream' });
    const reads: Array<[string, () => Promise<unknown>, number]> = [
      ['nothing after revision 2', () => store.readStream('count-1', { fromRevision: 3 }), 1],
      ['one event after revision 1', () => store.readStream('count-1', { fromRevision: 2 }), 1],
      ['the whole stream', () => store.readStream('count-1'), 1],
      // Past the end by more than one: no event proves the stream exists, so it is looked up.
      ['past the end', () => store.readStream('count-1', { fromRevision: 7 }), 2],
      // From the start and nothing there: no events means no stream, without asking again.
      ['a stream that does not exist', () => t.rejects(store.readStream('count-missing'), { code: 'STREAM_NOT_FOUND' }), 1],
      ['a missing stream, read backwards', () => t.rejects(store.readStream('count-missing', { direction: 'backwards' }), { code: 'STREAM_NOT_FOUND' }), 2],
    ];
    for (const [what, read, queries] of reads) {
      const before = counted.count();
      await read();
      t.equal(counted.count() - before, queries, `${what}: ${queries} ${queries === 1 ? 'query' : 'queries'}`);
    }
  });
}
