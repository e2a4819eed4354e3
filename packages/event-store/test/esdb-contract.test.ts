import t from 'tap';
import { createEsdbEventStore } from '../src/esdb/esdb-event-store.js';
import { runEventStoreContract } from './contract.js';

const SKIPPED = 'EventStoreDB contract suite skipped: TEST_EVENTSTORE_URL not set';
const url = process.env.TEST_EVENTSTORE_URL;

if (!url) {
  t.comment(SKIPPED);
  t.test('EventStoreDB: event-store contract', { skip: SKIPPED }, () => undefined);
} else {
  // Every test works in streams of its own random category, so the server need not be empty.
  runEventStoreContract(t, {
    name: 'eventstoredb',
    async create() {
      const store = createEsdbEventStore({ connectionString: url });
      return { store, cleanup: () => store.close() };
    },
    writers: 8,
    eventsPerWriter: 2_000,
  });
}
