import type { Test } from 'tap';
import { appendContract } from './contract/append.js';
import { appendMultiContract } from './contract/append-multi.js';
import { concurrencyContract } from './contract/concurrency.js';
import type { ContractAdapter } from './contract/helpers.js';
import { readContract } from './contract/read.js';
import { subscribeContract } from './contract/subscribe.js';

export type { ContractAdapter, ContractStore } from './contract/helpers.js';

/**
 * The behaviour every EventStore adapter must have. Creates one store for the whole run; each
 * test works in streams of its own category, so tests never see each other's events except in
 * the global log, where they start from the head position they found.
 */
export function runEventStoreContract(t: Test, adapter: ContractAdapter): void {
  t.test(`${adapter.name}: event-store contract`, async (t) => {
    const { store, cleanup } = await adapter.create();
    t.teardown(cleanup);
    appendContract(t, store, adapter);
    appendMultiContract(t, store);
    readContract(t, store, adapter);
    subscribeContract(t, store, adapter);
    concurrencyContract(t, store, adapter);
  });
}
