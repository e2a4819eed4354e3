import type { EventType } from '@gongguan/domain';
import { isConcurrencyError, type EventToAppend, type StreamAppend } from '@gongguan/event-store';
import { appError, isAppError } from '@gongguan/platform';
import { nameBasedUuid } from './ids.js';
import { eventsToAppend, remember, resultOf, stale, writtenRef, type CommandContext, type StepResult } from './execute.js';
import { assertEffectiveOrder } from './back-record.js';
import { loadAggregate, type Foldable, type Loaded } from './load.js';
import type { EventRefs } from './aggregate-cache.js';
import { conflictPause } from './conflict-pause.js';
import { inStreamTurn } from './stream-queue.js';

type Decided = Array<{ type: EventType; data: Record<string, unknown> }>;

export interface ExecuteAcrossOptions<T extends Record<string, unknown>> {
  /** Each stream the decision needs, by a name the decision uses (`programme`, `project`). */
  parts: { [K in keyof T]: { aggregate: Foldable<T[K], unknown>; stream: string } };
  /** Names the step inside one request, so its events get their own derived ids. */
  step: string;
  /** The revision the client last saw (If-Match) of one of the streams: if that one moved, 412. */
  ifMatch?: { part: keyof T & string; revision: number } | undefined;
  /**
   * One decision over the states: the events for each stream (throws a domain refusal). `events`
   * are the references of each stream's events as loaded (a correction names the event it
   * corrects from them), from the same load the append's expected revisions come from.
   */
  decide(states: T, events: { [K in keyof T]: EventRefs }): { [K in keyof T]: Decided };
  maxAttempts?: number;
}

const DEFAULT_ATTEMPTS = 5;
const MAX_EVENTS_PER_PART = 16;

/**
 * `execute` for a decision that spans streams (STYLE.md rule 13): load every stream, decide once
 * over all their states, and write every stream's events in one `appendMulti` carrying each
 * stream's expected revision — all or nothing. If-Match names one stream: if that stream moved,
 * 412 and nothing written. Another stream that moved (a competing approval took a place) is
 * decided again on the new states, a bounded number of times, then 409 CONCURRENCY_CONFLICT.
 *
 * With an Idempotency-Key the ids derive from it, per stream: a retried request finds its own
 * events (written together, so in every stream or in none) and answers with them.
 */
export function executeAcross<T extends Record<string, unknown>>(ctx: CommandContext, options: ExecuteAcrossOptions<T>): Promise<{ [K in keyof T]: StepResult }> {
  const streams = Object.values(options.parts).map((part) => (part as { stream: string }).stream);
  return inStreamTurn(ctx.store, streams, () => executeAcrossInTurn(ctx, options));
}

async function executeAcrossInTurn<T extends Record<string, unknown>>(ctx: CommandContext, options: ExecuteAcrossOptions<T>): Promise<{ [K in keyof T]: StepResult }> {
  const names = Object.keys(options.parts) as Array<keyof T & string>;
  const attempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const idFor = (name: string, i: number) => (ctx.idSeed ? nameBasedUuid(`${ctx.idSeed}|${options.step}|${name}|${i}`) : ctx.env.newId());
  let trustCache = true;
  for (let attempt = 1; ; ) {
    const loaded = {} as { [K in keyof T]: Loaded<T[K]> };
    for (const name of names) {
      const { aggregate, stream } = options.parts[name];
      loaded[name] = await loadAggregate(ctx.store, aggregate, stream, { cache: ctx.cache, trustCache });
    }
    // Anything answered without appending must hold on the streams as they are now.
    const verifyFirst = (): boolean => {
      if (names.every((name) => loaded[name].verified)) return false;
      trustCache = false;
      return true;
    };
    const answer = (written: (name: keyof T & string) => StepResult | undefined) => {
      const results = {} as { [K in keyof T]: StepResult };
      for (const name of names) results[name] = written(name) ?? unchanged(options.parts[name].stream, loaded[name]);
      return results;
    };

    if (options.ifMatch !== undefined) {
      const seen = loaded[options.ifMatch.part].revision;
      if (seen !== options.ifMatch.revision) {
        if (verifyFirst()) continue;
        throw stale(options.parts[options.ifMatch.part].stream, options.ifMatch.revision, seen);
      }
    }
    if (ctx.idSeed) {
      // This step already ran (a retried request): answer with what it wrote.
      const already = names.map((name) => {
        const own = new Set(Array.from({ length: MAX_EVENTS_PER_PART }, (_, i) => idFor(name, i)));
        return loaded[name].events.filter((e) => own.has(e.id));
      });
      if (already.some((events) => events.length > 0)) {
        return answer((name) => {
          const events = already[names.indexOf(name)]!;
          return events.length > 0 ? resultOf(options.parts[name].stream, events) : undefined;
        });
      }
    }

    let decided: { [K in keyof T]: Decided };
    try {
      const states = {} as T;
      const refs = {} as { [K in keyof T]: EventRefs };
      for (const name of names) {
        states[name] = loaded[name].state;
        refs[name] = loaded[name].events;
      }
      decided = options.decide(states, refs);
    } catch (err) {
      if (verifyFirst()) continue;
      throw err;
    }
    if (names.every((name) => decided[name].length === 0)) {
      if (verifyFirst()) continue;
      return answer(() => undefined);
    }

    if (ctx.backRecord) {
      const at = ctx.env.now().toISOString();
      try {
        for (const name of names) if (decided[name].length > 0) assertEffectiveOrder(options.parts[name].stream, loaded[name].events, at);
      } catch (err) {
        if (verifyFirst()) continue;
        throw err;
      }
    }
    const toAppend = {} as Record<keyof T & string, EventToAppend[]>;
    const appends: StreamAppend[] = names.map((name) => {
      if (decided[name].length > MAX_EVENTS_PER_PART) throw new Error(`${options.step} decided ${decided[name].length} events for ${name}; at most ${MAX_EVENTS_PER_PART}`);
      toAppend[name] = eventsToAppend(ctx, decided[name], (i) => idFor(name, i));
      const revision = loaded[name].revision;
      return { stream: options.parts[name].stream, events: toAppend[name], expectedRevision: revision === 'no_stream' ? 'no_stream' : revision };
    });
    try {
      const appended = await ctx.store.appendMulti(appends);
      const results = {} as { [K in keyof T]: StepResult };
      names.forEach((name, k) => {
        const { stream, aggregate } = options.parts[name];
        const done = appended[k]!;
        const events = toAppend[name];
        if (events.length === 0) {
          results[name] = unchanged(stream, loaded[name]);
          return;
        }
        const first = done.nextRevision - events.length + 1;
        const written = events.map((e, i) => writtenRef(e, first + i, done.position));
        if (ctx.cache) remember(ctx.cache, ctx, aggregate, stream, loaded[name], events, written);
        results[name] = { stream, revision: done.nextRevision, position: done.position, events: written.map(({ id, type, revision }) => ({ id, type, revision })) };
      });
      return results;
    } catch (err) {
      trustCache = false;
      // A retry of this same request wrote these ids first: load again and answer with them.
      if (ctx.idSeed && isAppError(err) && err.code === 'DUPLICATE_EVENT_ID' && attempt < attempts) {
        attempt++;
        continue;
      }
      if (!isConcurrencyError(err)) throw err;
      const matched = options.ifMatch;
      if (matched !== undefined && err.extra.stream === options.parts[matched.part].stream) {
        throw stale(err.extra.stream, matched.revision, err.extra.actualRevision);
      }
      if (attempt >= attempts) {
        throw appError('CONCURRENCY_CONFLICT', `${names.map((n) => options.parts[n].stream).join(' and ')} kept changing while deciding ${options.step}; try again`, {
          extra: { stream: err.extra.stream, attempts },
        });
      }
      await conflictPause(attempt);
      attempt++;
    }
  }
}

/** A stream the step did not write to: as it was loaded. */
function unchanged<S>(stream: string, loaded: Loaded<S>): StepResult {
  return { stream, revision: loaded.revision === 'no_stream' ? -1 : loaded.revision, position: loaded.events.last?.position ?? null, events: [] };
}
