import type { EventStore } from '@gongguan/event-store';
import { generateProvince, type ProvinceOptions } from './province.js';

export interface LoadOptions {
  /** Appends in flight at once (different streams); default 8. */
  concurrency?: number;
  onProgress?: (progress: { events: number; appends: number }) => void;
}

/**
 * Appends a generated province to a store, each append with its expected revision (so a second
 * load into the same store fails rather than duplicating). Appends to one stream run in order;
 * different streams run concurrently.
 */
export async function loadProvince(
  store: EventStore,
  options: ProvinceOptions = {},
  load: LoadOptions = {},
): Promise<{ events: number; appends: number; projects: number }> {
  const limit = load.concurrency ?? 8;
  const tails = new Map<string, Promise<void>>();
  const inFlight = new Set<Promise<void>>();
  let events = 0;
  let appends = 0;
  let failure: unknown;
  const generator = generateProvince(options);
  let step = generator.next();
  while (step.done !== true) {
    for (const append of step.value) {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      const previous = tails.get(append.stream) ?? Promise.resolve();
      const task: Promise<void> = previous
        .then(async () => {
          await store.append(append.stream, append.events, { expectedRevision: append.expectedRevision });
          events += append.events.length;
          appends += 1;
          if (appends % 500 === 0) load.onProgress?.({ events, appends });
        })
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => {
          inFlight.delete(task);
          if (tails.get(append.stream) === task) tails.delete(append.stream);
        });
      tails.set(append.stream, task);
      inFlight.add(task);
    }
    step = generator.next();
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  load.onProgress?.({ events, appends });
  return { events, appends, projects: step.value.projects };
}

export { generateProvince, type GeneratedAppend, type ProvinceOptions } from './province.js';
export { World } from './world.js';
export { seededRandom, type Random } from './random.js';
export { on, onBankReference, onDisbursement, onProgramme, onProject, onR2Ledger, onR3Ledger } from './commands.js';
export { onPayout } from './money-steps.js';
