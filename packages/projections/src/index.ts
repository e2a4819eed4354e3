export { table, tableDdl, columnNames, type AnyTable, type ColumnType, type TableDef } from './table.js';
export { concern, dispatch, domainStreams, handles, owns, type EventData, type Handlers, type Projection } from './projection.js';
export type { RowStore } from './engine/row-store.js';
export { applyProjection, type ApplyResult } from './engine/apply.js';
export { parseEnvelope, describeFailure, failureSummary, failureText, type EventFailure, type FailureKind, type ParsedEnvelope } from './engine/parse.js';
export { ensureReadModels, readCatalogue, schemaName, type ProjectionRow } from './engine/catalog.js';
export { startProjector, type CommitInfo, type ProjectorOptions, type RunningProjector } from './engine/projector.js';
export { rebuildProjections, type RebuildOptions, type RebuildProgress, type RebuildResult } from './engine/rebuild.js';
export { projectorMetrics, type ProjectorMetrics } from './engine/metrics.js';
export { PROGRESS_CHANNEL } from './engine/progress.js';
export { installReportingViews } from './reporting/install.js';
export { allProjections, projectionNamed } from './read-models/index.js';
export { projectsProjection } from './read-models/projects.js';
export { moneyProjection } from './read-models/money.js';
export { activityProjection, summarise } from './read-models/activity.js';
export * from './read-models/project-tables.js';
export * from './read-models/money-tables.js';
export { activity, type ActivityRow } from './read-models/activity.js';
export { reportingColumns, viewProjections, type ReportingView } from './reporting/view-columns.js';
export {
  bureaus,
  derivedPath,
  LEGACY_BUREAU_CODE,
  registryEventSchemas,
  REGISTRY_STREAM,
  type BureauRow,
} from './read-models/bureaus.js';
export { READER_ROLE } from './table.js';
