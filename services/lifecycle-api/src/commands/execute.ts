import { currentSchemaVersion, parseCommand, toShanghaiDate, type Actor, type CommandType, type Decider, type EventType } from '@gongguan/domain';
import { isConcurrencyError, type EventStore, type EventToAppend, type JsonObject } from '@gongguan/event-store';
import { appError, isAppError } from '@gongguan/platform';
import { nameBasedUuid, type Environment } from './ids.js';
import type { AggregateCache, EventRef } from './aggregate-cache.js';
import { assertEffectiveOrder, type BackRecord } from './back-record.js';
import { foldEvents, loadAggregate, type Foldable, type Loaded } from './load.js';
import { conflictPause } from './conflict-pause.js';
import { inStreamTurn } from './stream-queue.js';

/** Who is acting and on behalf of which request; built by the HTTP layer from the token. */
export interface CommandContext {
  store: EventStore;
  env: Environment;
  actor: Actor;
  /** The request id: ties every event of one request together. */
  correlationId: string;
  /** The idempotency key or triggering event the events are caused by. */
  causationId?: string | undefined;
  /**
   * When set, event ids are derived from it, so executing the same step again (a retry after a
   * crash) finds its own events instead of appending twice.
   */
  idSeed?: string | undefined;
  /** Folded states kept between commands (see aggregate-cache.ts); none: every command reads its stream. */
  cache?: AggregateCache | undefined;
  /** The caller's bureau (the token's `bureau` claim): commands act inside it only. */
  bureau: string;
  /**
   * Set when the command is back-recorded (an `Effective-Date`, an import): `env.now()` then
   * answers the effective instant, each event says who entered it, and no stream it writes may
   * already hold a later fact (see back-record.ts).
   */
  backRecord?: BackRecord | undefined;
}

export interface StepResult {
  stream: string;
  /** Revision of the stream after the step. */
  revision: number;
  /** Global position of the last event written (or of the stream's last event when nothing was written). */
  position: string | null;
  events: Array<{ id: string; type: string; revision: number }>;
}

export interface ExecuteOptions<S> {
  aggregate: Foldable<S, unknown> & { decider: Pick<Decider<never, S, unknown>, 'evolve' | 'initialState'> & { decide(c: never, s: S): unknown[] } };
  stream: string;
  type: CommandType;
  data: Record<string, unknown>;
  /** Names the step inside one request, so each step of a workflow gets its own ids. */
  step: string;
  /** The revision the client last saw (If-Match); a mismatch is 412, and is never retried. */
  ifMatch?: number | undefined;
  maxAttempts?: number;
  /** Decide without appending: checks a later step before an earlier one commits the request. */
  dryRun?: boolean;
}

const DEFAULT_ATTEMPTS = 5;
/** No command decides more events than this; ids past it would not be recognised on a retry. */
const MAX_EVENTS_PER_STEP = 16;

/**
 * Load, decide, append with the expected revision. Without If-Match a concurrency conflict is
 * decided again on the new state, a bounded number of times.
 *
 * With a cache (`ctx.cache`), the state is taken from it without reading: the append's expected
 * revision catches a stream that moved meanwhile. A refusal, a no-op, a dry run or a stale
 * If-Match decided on a cached state is checked against what the stream holds now before it is
 * answered, so the cache changes how much is read, never an answer.
 */
export function execute<S>(ctx: CommandContext, options: ExecuteOptions<S>): Promise<StepResult> {
  return inStreamTurn(ctx.store, [options.stream], () => executeInTurn(ctx, options));
}

async function executeInTurn<S>(ctx: CommandContext, options: ExecuteOptions<S>): Promise<StepResult> {
  const attempts = options.maxAttempts ?? DEFAULT_ATTEMPTS;
  const command = parseCommand({ type: options.type, actor: ctx.actor, at: ctx.env.now().toISOString(), data: options.data });
  const { cache } = ctx;
  let trustCache = true;
  for (let attempt = 1; ; ) {
    const loaded = await loadAggregate(ctx.store, options.aggregate, options.stream, { cache, trustCache });
    // Anything answered without appending must hold on the stream as it is now.
    const verifyFirst = (): boolean => {
      if (loaded.verified) return false;
      trustCache = false;
      return true;
    };
    if (options.ifMatch !== undefined && loaded.revision !== options.ifMatch) {
      if (verifyFirst()) continue;
      throw stale(options.stream, options.ifMatch, loaded.revision);
    }
    const idFor = (i: number) => (ctx.idSeed ? nameBasedUuid(`${ctx.idSeed}|${options.step}|${i}`) : ctx.env.newId());
    if (ctx.idSeed) {
      // This step already ran (a retry after a crash, or a re-driven process step): answer with what it wrote.
      const ownIds = new Set(Array.from({ length: MAX_EVENTS_PER_STEP }, (_, i) => idFor(i)));
      const already = loaded.events.filter((e) => ownIds.has(e.id));
      if (already.length > 0) return resultOf(options.stream, already);
    }

    let decided: Array<{ type: EventType; data: Record<string, unknown> }>;
    try {
      decided = options.aggregate.decider.decide(command as never, loaded.state) as typeof decided;
    } catch (err) {
      if (verifyFirst()) continue;
      throw err;
    }
    if (options.dryRun || decided.length === 0) {
      if (verifyFirst()) continue;
      if (options.dryRun) return { stream: options.stream, revision: loaded.revision === 'no_stream' ? -1 : loaded.revision, position: null, events: [] };
      const last = loaded.events.last;
      return {
        stream: options.stream,
        revision: loaded.revision === 'no_stream' ? -1 : loaded.revision,
        position: last?.position ?? null,
        events: [],
      };
    }
    if (decided.length > MAX_EVENTS_PER_STEP) throw new Error(`${options.type} decided ${decided.length} events; at most ${MAX_EVENTS_PER_STEP}`);
    if (ctx.backRecord) {
      try {
        assertEffectiveOrder(options.stream, loaded.events, command.at);
      } catch (err) {
        if (verifyFirst()) continue;
        throw err;
      }
    }
    const toAppend = eventsToAppend(ctx, decided, idFor);
    try {
      const appended = await ctx.store.append(options.stream, toAppend, {
        expectedRevision: loaded.revision === 'no_stream' ? 'no_stream' : loaded.revision,
      });
      const first = appended.nextRevision - toAppend.length + 1;
      const written = toAppend.map((e, i) => writtenRef(e, first + i, appended.position));
      if (cache) remember(cache, ctx, options.aggregate, options.stream, loaded, toAppend, written);
      return { stream: options.stream, revision: appended.nextRevision, position: appended.position, events: written.map(({ id, type, revision }) => ({ id, type, revision })) };
    } catch (err) {
      trustCache = false;
      // Another run of this same step (a retry racing the re-driver) wrote these ids first, at
      // another revision: load again, and the step finds its own events and answers with them.
      if (ctx.idSeed && isAppError(err) && err.code === 'DUPLICATE_EVENT_ID' && attempt < attempts) {
        attempt++;
        continue;
      }
      if (!isConcurrencyError(err)) throw err;
      if (options.ifMatch !== undefined) throw stale(options.stream, options.ifMatch, err.extra.actualRevision);
      if (attempt >= attempts) {
        throw appError('CONCURRENCY_CONFLICT', `${options.stream} kept changing while deciding ${options.type}; try again`, {
          extra: { stream: options.stream, attempts },
        });
      }
      await conflictPause(attempt);
      attempt++;
    }
  }
}

/** Decided events as the store takes them: ids (derived or new), schema versions, metadata. */
export function eventsToAppend(
  ctx: CommandContext,
  decided: ReadonlyArray<{ type: EventType; data: Record<string, unknown> }>,
  idFor: (i: number) => string,
): EventToAppend[] {
  return decided.map((event, i) => ({
    id: idFor(i),
    type: event.type,
    schemaVersion: currentSchemaVersion[event.type],
    data: event.data,
    metadata: {
      actorId: ctx.actor.id,
      actorRole: ctx.actor.role,
      correlationId: ctx.correlationId,
      causationId: ctx.causationId,
      // A back-recorded fact always says its date: the data's own business date, else the day it took effect.
      effectiveDate: effectiveDateOf(event.data) ?? (ctx.backRecord ? toShanghaiDate(ctx.backRecord.effectiveAt) : undefined),
      reason: reasonOf(event.data),
      ...(ctx.backRecord ? { backRecorded: { by: ctx.backRecord.by, role: ctx.backRecord.role } } : {}),
    },
  }));
}

/** The reference to an event this process just appended. */
export function writtenRef(event: EventToAppend, revision: number, position: EventRef['position']): EventRef {
  const at = event.data.at;
  return { id: event.id, type: event.type, revision, position, at: typeof at === 'string' ? at : undefined };
}

/**
 * After an append, the cache holds the state folded with the appended events, read back as a
 * load would read them (JSON text, upcast, validated). A step with derived ids may have been
 * answered with an earlier run's events (an append retried after a crash): those were decided on
 * another clock, so the entry is only marked to be read again.
 */
export function remember<S>(
  cache: AggregateCache,
  ctx: CommandContext,
  aggregate: Foldable<S, unknown>,
  stream: string,
  loaded: Loaded<S>,
  appended: readonly EventToAppend[],
  written: EventRef[],
): void {
  if (ctx.idSeed) {
    cache.distrust(stream);
    return;
  }
  let state: S;
  try {
    const asStored = appended.map((e) => ({ id: e.id, type: e.type, schemaVersion: e.schemaVersion, data: JSON.parse(JSON.stringify(e.data)) as JsonObject }));
    state = foldEvents(aggregate, stream, loaded.state, asStored);
  } catch {
    // The events are written: this answer stands. The next load folds the stream from the store
    // and fails there, loudly, if the stored events really cannot be folded.
    cache.delete(stream);
    return;
  }
  const last = written[written.length - 1]!;
  cache.set(stream, { state, revision: last.revision, events: loaded.events.extend(written), trusted: true });
}

export function resultOf(stream: string, events: readonly EventRef[]): StepResult {
  const last = events[events.length - 1]!;
  return {
    stream,
    revision: last.revision,
    position: last.position,
    events: events.map((e) => ({ id: e.id, type: e.type, revision: e.revision })),
  };
}

export function stale(stream: string, expected: number, actual: unknown) {
  const current = typeof actual === 'number' ? actual : actual === 'no_stream' ? -1 : Number(actual);
  return appError('PRECONDITION_FAILED', `${stream} is at revision ${current}, not ${expected}; reload and decide again`, {
    extra: { stream, expectedRevision: expected, currentRevision: current },
    headers: { etag: `"${current}"` },
  });
}

const EFFECTIVE_FIELDS = [
  'paidOn', 'reversedOn', 'decidedOn', 'reportedOn', 'visitedOn', 'checkedOn', 'completedOn', 'concludedOn',
  'appliedOn', 'signedOn', 'startOn', 'startsOn', 'lodgedOn', 'opensOn', 'closedOn', 'occurredOn', 'submittedOn',
] as const;

const EFFECTIVE_RANK: ReadonlyMap<string, number> = new Map(EFFECTIVE_FIELDS.map((field, rank) => [field, rank]));
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The business date an event takes effect, where its data has one (the bank's paid-on date, …):
 * of the data's fields named in EFFECTIVE_FIELDS that hold a calendar date, the one listed first.
 * It walks the data's few keys rather than probing all seventeen names on each event.
 */
export function effectiveDateOf(data: Record<string, unknown>): string | undefined {
  let found: string | undefined;
  let foundRank: number = EFFECTIVE_FIELDS.length;
  for (const key of Object.keys(data)) {
    const rank = EFFECTIVE_RANK.get(key);
    if (rank === undefined || rank >= foundRank) continue;
    const value = data[key];
    if (typeof value === 'string' && CALENDAR_DATE.test(value)) {
      found = value;
      foundRank = rank;
    }
  }
  return found;
}

function reasonOf(data: Record<string, unknown>): string | undefined {
  for (const field of ['reason', 'comment', 'resolution'] as const) {
    const value = data[field];
    if (typeof value === 'string' && value.length > 0) return value.slice(0, 2000);
  }
  return undefined;
}
