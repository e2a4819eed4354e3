import type { EventStore } from '@gongguan/event-store';
import type { Sql } from '@gongguan/platform/db';
import type { Role } from '@gongguan/platform';
import type { BureauScope } from '../bureau/bureau-scope.js';
import type { CosignatureStore } from '../checkpoint/cosignature-store.js';
import type { KeyRegistry } from '../keys/key-registry.js';
import type { TreeHeadKey } from '../keys/tree-head-key.js';
import type { LeafLog } from '../merkle/leaf-log.js';
import type { Sealer } from '../tree-heads/sealer.js';
import type { SnapshotCache } from '../state/snapshots.js';

/** What every audit route works with. */
export interface AuditContext {
  store: EventStore;
  sql: Sql;
  leaves: LeafLog;
  sealer: Sealer;
  key: TreeHeadKey;
  /** The C2SP checkpoint origin (AUDIT_LOG_ORIGIN), also the log's note key name. */
  origin: string;
  /** Every tree-head key ever activated, with its validity (`keys.byId(head.keyId)`). */
  keys: KeyRegistry;
  /** Witness cosignatures of checkpoints (`cosignatures.cosignatureLines(treeSize)`). */
  cosignatures: CosignatureStore;
  /** Replayed states kept every 32 revisions, so repeated "as of" replays fold few events. */
  snapshots: SnapshotCache;
  /** Which bureau owns a stream, and whether a caller's bureau subtree reaches it (service README, "Bureaus"). */
  bureaus: BureauScope;
  /** AUDIT_BUNDLE_EVIDENCE_MAX_BYTES: the evidence bytes one bundle may carry. */
  bundleEvidenceMaxBytes: number;
}

/** Auditors read; admins too (they operate the service) — each within their bureau's subtree. Nobody writes business facts here. */
export const READERS: readonly Role[] = ['auditor', 'admin'];
/** Sealing a tree head appends an event, so it is an admin's operation, not an auditor's. */
export const SEALERS: readonly Role[] = ['admin'];

export const tags = ['audit'];
