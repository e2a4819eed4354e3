import { currentSchemaVersion, parseCommand, type CommandType, type DomainCommand, type EventType } from '@gongguan/domain';
import { isConcurrencyError, type StreamAppend } from '@gongguan/event-store';
import { appError, isAppError } from '@gongguan/platform';
import type { CommandContext, StepResult } from './execute.js';
import { effectiveDateOf } from './execute.js';
import { nameBasedUuid } from './ids.js';
import { loadAggregate, type Foldable } from './load.js';

/** One stream a cross-stream decision reads, decides on and appends to. */
export interface AcrossPart {
  aggregate: Foldable<unknown, unknown>;
  stream: string;
  /** The revision the client last saw of this stream (If-Match); a mismatch is 412, never retried. */
  ifMatch?: number | undefined;
}

export type DecidedEvent = { type: EventType; data: Record<string, unknown> };

export interface AcrossOptions {
  parts: readonly AcrossPart[];
  /** The command, validated like any other; its actor and time come from the context. */
  type: CommandType;
  data: Record<string, unknown>;
  step: string;
  /** The states of `parts`, in order → the events for each part, in order (an empty list guards that stream's revision). */
  decide(command: DomainCommand, states: readonly unknown[]): DecidedEvent[][];
  maxAttempts?: number;
}

const DEFAULT_ATTEMPTS = 5;
const MAX_EVENTS_PER_PART = 16;

/**
 * One decision over several streams: load each, decide once on all their states, and append every
 * stream's events in ONE atomic append with each stream's expected revision (the store's
 * appendMulti: one transaction on PostgreSQL and PGlite; see the event-store README for others). A concurrent change to any of the streams fails the whole append; the decision
 * is then taken again on the new states, a bounded number of times. Nothing is ever half written.
 */
export async function executeAcross(ctx: CommandContext, options: AcrossOptions): Promise<StepResult[]> {
  const attempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const command = parseCommand({ type: options.type, actor: ctx.actor, at: ctx.env.now().toISOString(), data: options.data });
  const idFor = (part: number, i: number) => (ctx.idSeed ? nameBasedUuid(`${ctx.idSeed}|${options.step}|${part}|${i}`) : ctx.env.newId());
  for (let attempt = 1; ; attempt++) {
    const loaded = await Promise.all(options.parts.map((part) => loadAggregate(ctx.store, part.aggregate, part.stream, { cache: ctx.cache, trustCache: false })));
    loaded.forEach((l, i) => {
      const part = options.parts[i]!;
      if (part.ifMatch !== undefined && l.revision !== part.ifMatch) throw stale(part.stream, part.ifMatch, l.revision);
    });
    if (ctx.idSeed) {
      // This decision was already appended (a retry, or the re-driver after a crash): answer with it.
      const own = options.parts.map((_, p) => new Set(Array.from({ length: MAX_EVENTS_PER_PART }, (__, i) => idFor(p, i))));
      const already = loaded.map((l, p) => l.events.filter((e) => own[p]!.has(e.id)));
      if (already.some((events) => events.length > 0)) {
        return options.parts.map((part, p) => resultOf(part.stream, loaded[p]!.revision, already[p]!));
      }
    }
    const decided = options.decide(command, loaded.map((l) => l.state));
    if (decided.every((events) => events.length === 0)) {
      return options.parts.map((part, p) => resultOf(part.stream, loaded[p]!.revision, []));
    }
    const appends: StreamAppend[] = options.parts.map((part, p) => {
      const events = decided[p] ?? [];
      if (events.length > MAX_EVENTS_PER_PART) throw new Error(`${options.type} decided ${events.length} events on ${part.stream}; at most ${MAX_EVENTS_PER_PART}`);
      const revision = loaded[p]!.revision;
      return {
        stream: part.stream,
        expectedRevision: revision,
        events: events.map((event, i) => ({
          id: idFor(p, i),
          type: event.type,
          schemaVersion: currentSchemaVersion[event.type],
          data: event.data,
          metadata: {
            actorId: ctx.actor.id,
            actorRole: ctx.actor.role,
            correlationId: ctx.correlationId,
            causationId: ctx.causationId,
            effectiveDate: effectiveDateOf(event.data),
          },
        })),
      };
    });
    try {
      const results = await ctx.store.appendMulti(appends);
      for (const part of options.parts) ctx.cache?.delete(part.stream);
      return appends.map((a, p) => {
        const result = results[p]!;
        const first = result.nextRevision - a.events.length + 1;
        return {
          stream: a.stream,
          revision: result.nextRevision,
          position: a.events.length > 0 ? result.position : (loaded[p]!.events.last?.position ?? null),
          events: a.events.map((e, i) => ({ id: e.id, type: e.type, revision: first + i })),
        };
      });
    } catch (err) {
      for (const part of options.parts) ctx.cache?.delete(part.stream);
      const retry = (ctx.idSeed && isAppError(err) && err.code === 'DUPLICATE_EVENT_ID') || isConcurrencyError(err);
      if (!retry) throw err;
      if (isConcurrencyError(err)) {
        const guarded = options.parts.find((p) => p.ifMatch !== undefined && p.stream === err.extra.stream);
        if (guarded?.ifMatch !== undefined) throw stale(guarded.stream, guarded.ifMatch, err.extra.actualRevision);
      }
      if (attempt >= attempts) {
        throw appError('CONCURRENCY_CONFLICT', `${options.parts.map((p) => p.stream).join(', ')} kept changing while deciding ${options.type}; try again`, {
          extra: { streams: options.parts.map((p) => p.stream), attempts },
        });
      }
    }
  }
}

function resultOf(stream: string, revision: number | 'no_stream', events: ReadonlyArray<{ id: string; type: string; revision: number; position: string }>): StepResult {
  const last = events[events.length - 1];
  return {
    stream,
    revision: last?.revision ?? (revision === 'no_stream' ? -1 : revision),
    position: last?.position ?? null,
    events: events.map((e) => ({ id: e.id, type: e.type, revision: e.revision })),
  };
}

function stale(stream: string, expected: number, actual: unknown) {
  const current = typeof actual === 'number' ? actual : actual === 'no_stream' ? -1 : Number(actual);
  return appError('PRECONDITION_FAILED', `${stream} is at revision ${current}, not ${expected}; reload and decide again`, {
    extra: { stream, expectedRevision: expected, currentRevision: current },
    headers: { etag: `"${current}"` },
  });
}
