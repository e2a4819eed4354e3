import { BUREAU_REGISTRY_STREAM, bureauRegistry, BureauDirectory, parseEvent, type BureauEvent } from '@gongguan/domain';
import { isAppError } from '@gongguan/platform';
import type { EventStore, RecordedEvent } from '@gongguan/event-store';
import { generateProvince, type GeneratedAppend, type ProvinceOptions } from './province.js';

export interface LoadOptions {
  /** Appends in flight at once (different streams); default 8. */
  concurrency?: number;
  onProgress?: (progress: { events: number; appends: number }) => void;
}

/**
 * Appends a generated province to a store, each append with its expected revision (a second load
 * of the same province finds its own events and writes nothing; anything else there is a conflict).
 * The appends of one group (a decision over several streams) go in one atomic `appendMulti`.
 * Appends to one stream run in order; different streams run concurrently.
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
  const generator = generateProvince({ ...options, ...(await storedRegistry(store)) });
  let step = generator.next();
  while (step.done !== true) {
    // Appends of one group are parts of decisions over several streams: one atomic appendMulti.
    const units: GeneratedAppend[][] = [];
    const grouped = new Map<number, GeneratedAppend[]>();
    for (const append of step.value) {
      if (append.group === undefined) {
        units.push([append]);
        continue;
      }
      const unit = grouped.get(append.group);
      if (unit) unit.push(append);
      else {
        const fresh = [append];
        grouped.set(append.group, fresh);
        units.push(fresh);
      }
    }
    for (const unit of units) {
      while (inFlight.size >= limit) await Promise.race(inFlight);
      if (failure !== undefined) throw failure;
      const previous = Promise.all(unit.map((append) => tails.get(append.stream)));
      const task: Promise<void> = previous
        .then(async () => {
          if (unit.length === 1) await store.append(unit[0]!.stream, unit[0]!.events, { expectedRevision: unit[0]!.expectedRevision });
          else await store.appendMulti(unit.map(({ stream, events: appended, expectedRevision }) => ({ stream, events: appended, expectedRevision })));
          events += unit.reduce((n, append) => n + append.events.length, 0);
          appends += 1;
          if (appends % 500 === 0) load.onProgress?.({ events, appends });
        })
        .catch((err: unknown) => {
          failure ??= err;
        })
        .finally(() => {
          inFlight.delete(task);
          for (const append of unit) if (tails.get(append.stream) === task) tails.delete(append.stream);
        });
      for (const append of unit) tails.set(append.stream, task);
      inFlight.add(task);
    }
    step = generator.next();
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  load.onProgress?.({ events, appends });
  return { events, appends, projects: step.value.projects };
}

/** The registry of bureaus already in the store, folded, with its revision; nothing when there is none. */
export async function storedRegistry(store: EventStore): Promise<{ registry?: NonNullable<ProvinceOptions['registry']> }> {
  let events: RecordedEvent[];
  try {
    events = await store.readStream(BUREAU_REGISTRY_STREAM);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return {};
    throw err;
  }
  const parsed = events.map((e) => parseEvent(e)).filter((e): e is BureauEvent => bureauRegistry.isEvent(e));
  return { registry: { state: parsed.reduce(BureauDirectory.evolve, BureauDirectory.empty), revision: events.length - 1 } };
}

export { demoProvince, fullProvince, generateProvince, provinceDivisions, type GeneratedAppend, type ProvinceOptions } from './province.js';
export { cities as zhejiangCities, departmentName, province as zhejiang, type CityDivision, type Division } from './divisions.js';
export { World } from './world.js';
export { seededRandom, type Random } from './random.js';
export { on, onAnnualSummary, onBankReference, onBureauRegistry, onDisbursement, onProgramme, onProject, onR2Ledger, onR3Ledger } from './commands.js';
export { bureauStories, bureauStory, registerBureaus, storyBureaus, type BureauPlan, type BureauStoryResult } from './bureaus.js';
export { onPayout } from './money-steps.js';
