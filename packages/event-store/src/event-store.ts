import type { JsonObject } from './canonical-json.js';
import type { Position } from './position.js';

/**
 * What the caller states about the stream before appending, as in `@eventstore/db-client`:
 * `'no_stream'` the stream must not exist yet; `'stream_exists'` it must have at least one event;
 * `'any'` no check; a number (or bigint) the revision of the stream's last event, 0-based.
 */
export type ExpectedRevision = 'no_stream' | 'any' | 'stream_exists' | number | bigint;

/** Who did it and why, as given by the caller. The store adds `recordedAt`. */
export interface EventMetadataInput {
  actorId: string;
  actorRole: string;
  /** The request or process the event belongs to. */
  correlationId: string;
  /** The command or event that caused this event; stored as `null` when not given. */
  causationId?: string | undefined;
  /** The business date the fact takes effect, where the domain has one. */
  effectiveDate?: string | undefined;
  reason?: string | undefined;
  /**
   * Set on a fact entered after it happened (back-recording, an import): who entered it and in
   * which role. The actor above is the fact's own actor; `recordedAt` is when it was entered.
   */
  backRecorded?: BackRecorded | undefined;
}

/** Who entered a back-recorded fact. */
export interface BackRecorded {
  by: string;
  role: string;
}

/** An event to append. `id` is a UUID chosen by the caller: retrying with the same id is safe. */
export interface EventToAppend {
  id: string;
  /** PascalCase, past tense: `ProjectApproved`. */
  type: string;
  /** Positive integer; bump it when the shape of `data` changes. */
  schemaVersion: number;
  /** A JSON object (RFC 8785 I-JSON: finite numbers, well-formed strings, plain objects). */
  data: Readonly<Record<string, unknown>>;
  metadata: EventMetadataInput;
}

export interface EventMetadata {
  actorId: string;
  actorRole: string;
  correlationId: string;
  causationId: string | null;
  /**
   * The store's clock when the event was appended: UTC, ISO 8601, always six fraction digits
   * (`2026-11-22T18:25:30.123456Z`). Never decreases along a stream.
   */
  recordedAt: string;
  effectiveDate?: string;
  reason?: string;
  backRecorded?: BackRecorded;
}

/** A stored event: the envelope every reader gets. */
export interface RecordedEvent {
  /** Lower-case UUID. */
  id: string;
  stream: string;
  /** 0-based place in its stream. */
  revision: number;
  /** Place in the global log; not covered by the hash (a copied history keeps its hashes). */
  position: Position;
  type: string;
  schemaVersion: number;
  data: JsonObject;
  metadata: EventMetadata;
  /** `hash` of the previous event of the stream; 64 zeros for revision 0. */
  prevHash: string;
  /** SHA-256 (hex) of the RFC 8785 form of this envelope without `hash` and `position`. */
  hash: string;
}

export interface AppendOptions {
  expectedRevision: ExpectedRevision;
}

/** One stream's part of an {@link EventStore.appendMulti}. */
export interface StreamAppend {
  stream: string;
  events: readonly EventToAppend[];
  expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event now in the stream: the `expectedRevision` of the next append. */
  nextRevision: number;
  /** Position of the last event written (for read-your-writes against projections). */
  position: Position;
}

export interface ReadStreamOptions {
  /** Lowest revision to return (inclusive); default 0. */
  fromRevision?: number | bigint;
  /** Highest revision to return (inclusive): "the stream as of revision N". */
  toRevision?: number | bigint;
  /** Only events recorded at or before this instant: "the stream as of time T". */
  untilRecordedAt?: Date | string;
  /** `'backwards'` starts at the highest revision in range. Default `'forwards'`. */
  direction?: 'forwards' | 'backwards';
  /** At most this many events. */
  limit?: number;
}

/** Both members, when given, must match; within a member any entry may match. */
export interface EventFilter {
  /** Stream name prefixes, e.g. `['project-', 'programme-']`. */
  streamPrefixes?: readonly string[];
  /** Event types, e.g. `['ProjectApproved']`. */
  eventTypes?: readonly string[];
}

export interface ReadAllOptions {
  /** Read events after this position; default {@link START_POSITION}. */
  after?: Position;
  /** Default 1000, at most 10000. */
  limit?: number;
  filter?: EventFilter;
}

export interface ReadAllResult {
  events: RecordedEvent[];
  /**
   * Where the next read should continue (`after`). With a filter this may be past the last
   * returned event: the store has looked at, and skipped, everything up to it.
   */
  position: Position;
  /** True when the read reached the end of what is safe to read now. */
  caughtUp: boolean;
}

export interface SubscribeOptions {
  /** Deliver events after this position; default {@link START_POSITION}. */
  after?: Position;
  filter?: EventFilter;
  /** Ends the iteration (without an error) when aborted. */
  signal?: AbortSignal;
  /** Events fetched per read while catching up; default 500. */
  batchSize?: number;
  /**
   * Once live, read at most once per this many ms however often appends wake the subscription
   * (wake-ups in between are served by the next read): for followers that can lag a little, to
   * spare the database a read per append. Default 0. Push-based adapters (EventStoreDB) deliver as
   * the server pushes and ignore it.
   */
  minWakeIntervalMs?: number;
}

/**
 * What a subscription yields: each event in order, and once, when the subscription first reaches
 * the live end, a `caught-up` marker carrying the position it caught up to.
 */
export type SubscriptionItem =
  | { kind: 'event'; event: RecordedEvent }
  | { kind: 'caught-up'; position: Position };

/**
 * The event-store port. Every adapter (PostgreSQL/PGlite, EventStoreDB) passes the same contract
 * suite (`test/contract.ts`). Errors are platform `AppError`s with stable codes:
 * `CONCURRENCY_CONFLICT` (see `isConcurrencyError`), `DUPLICATE_EVENT_ID`, `STREAM_NOT_FOUND`,
 * `INVALID_STREAM_NAME`, `EVENT_TOO_LARGE`, `VALIDATION_FAILED`.
 */
export interface EventStore {
  /**
   * Appends `events` to `stream` atomically (all or none), after checking `expectedRevision`.
   * Appending events whose ids are already in this stream at the revisions they would get returns
   * the first result and writes nothing (a retried request); an id that exists anywhere else is a
   * `DUPLICATE_EVENT_ID`. An empty `events` only checks the expected revision.
   */
  append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult>;

  /**
   * All or none: every stream's expected revision is checked and every event written in one
   * transaction. Returns one AppendResult per input, same order. A wrong revision on any stream
   * throws the usual ConcurrencyError naming that stream and writes nothing. A retry of a fully
   * successful call (same event ids) answers as the first time. A stream may appear only once.
   * Backends without a multi-stream transaction (`capabilities.atomicMultiStream: false`) append
   * stream by stream in the given order; see the package README.
   */
  appendMulti(appends: readonly StreamAppend[]): Promise<AppendResult[]>;

  /** What this backend guarantees for appendMulti. */
  readonly capabilities: { atomicMultiStream: boolean };

  /** Events of one stream by revision. Throws `STREAM_NOT_FOUND` when the stream has no events. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;

  /**
   * One page of the global log after `after`, in position order. Never skips: an event that
   * commits later never appears before a position already returned.
   */
  readAll(options?: ReadAllOptions): Promise<ReadAllResult>;

  /**
   * Catches up from `after`, says so once, then follows new events live until `signal` aborts,
   * the consumer breaks out of the loop, or the store closes. Same order guarantee as `readAll`.
   */
  subscribe(options?: SubscribeOptions): AsyncIterable<SubscriptionItem>;

  /** Position of the latest event a reader may safely read now; START_POSITION when empty. */
  headPosition(): Promise<Position>;

  /**
   * Position of the latest event written (committed), START_POSITION when empty. It may be past
   * `headPosition` for a moment (SQL: a later transaction committed while an earlier one still
   * runs), but no event was ever written beyond it: a position past it is not one a command returned.
   */
  lastPosition(): Promise<Position>;

  /** Ends subscriptions and releases what the store opened. */
  close(): Promise<void>;
}
