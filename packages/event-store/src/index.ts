export type {
  AppendOptions,
  AppendResult,
  BackRecorded,
  EventFilter,
  EventMetadata,
  EventMetadataInput,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ReadAllOptions,
  ReadAllResult,
  ReadStreamOptions,
  RecordedEvent,
  StreamAppend,
  SubscribeOptions,
  SubscriptionItem,
} from './event-store.js';
export {
  comparePositions,
  isPosition,
  parsePosition,
  positionFromParts,
  positionParts,
  positionToString,
  START_POSITION,
  type Position,
} from './position.js';
export { canonicalize, CanonicalJsonError, isJsonObject, type JsonObject, type JsonValue } from './canonical-json.js';
export {
  computeEventHash,
  eventHashInput,
  GENESIS_HASH,
  verifyStreamChain,
  type ChainProblem,
  type ChainVerification,
  type HashedEnvelope,
} from './hash-chain.js';
export { concurrencyError, isConcurrencyError, type ConcurrencyConflict, type ConcurrencyError } from './errors.js';
export { EVENT_TYPE, recordedMetadataSchema, STREAM_NAME, STREAM_NAME_MAX } from './validation.js';
export type { StoreLogger } from './logger.js';
export { createSqlEventStore, DEFAULT_MAX_EVENT_BYTES, type SqlEventStoreOptions } from './sql/sql-event-store.js';
export { GROUP_COMMIT_CHANNEL, type GroupCommitMessage } from './sql/group-commit.js';
export { migrateEventStore } from './sql/migrate.js';
export { openEventStore, type OpenEventStoreOptions } from './open-event-store.js';
export { serviceEventStore } from './service-store.js';
export { ImportError, type EventImporter, type ImportResult } from './esdb/import-plan.js';
export { createSqlImporter } from './sql/import.js';
