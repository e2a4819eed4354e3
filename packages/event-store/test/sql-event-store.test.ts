import t from 'tap';
import { testDatabaseTargets } from '@gongguan/platform/testing';
import { createSqlEventStore } from '../src/index.js';
import { runEventStoreContract } from './contract.js';

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
