import { createHash } from 'node:crypto';
import { programme } from '@gongguan/domain';
import { comparePositions, type EventStore, type RecordedEvent } from '@gongguan/event-store';
import { appError, isAppError } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';
import type { TreeHeadKey } from '../keys/tree-head-key.js';
import type { LeafLog } from '../merkle/leaf-log.js';
import { witnessIndices } from '../merkle/witness-lookup.js';
import { programmeProjects, projectHistory } from '../history/project-history.js';
import { latestTreeHead } from '../tree-heads/sealer.js';

export const BUNDLE_FORMAT = 'gongguan-audit-bundle/1';

export interface Bundle {
  manifest: {
    format: string;
    createdAt: string;
    scope: { kind: 'project' | 'programme'; id: string };
    treeHead: { treeSize: number; rootHash: string; keyId: string };
    events: number;
    /** Events of the scope recorded after the tree head: not in the bundle (seal again to include them). */
    eventsAfterTreeHead: number;
    files: Array<{ name: string; sha256: string; bytes: number }>;
  };
  /** File name → exact text (UTF-8); `manifest.json` is among them. */
  files: Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function scopeEvents(store: EventStore, scope: Bundle['manifest']['scope']): Promise<RecordedEvent[]> {
  if (scope.kind === 'project') return (await projectHistory(store, scope.id)).events;
  let own: RecordedEvent[];
  try {
    own = await store.readStream(programme.streamName(scope.id));
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') throw appError('NOT_FOUND', `no programme ${scope.id}`);
    throw err;
  }
  const byId = new Map(own.map((e) => [e.id, e]));
  for (const projectId of await programmeProjects(store, scope.id)) {
    for (const e of (await projectHistory(store, projectId)).events) byId.set(e.id, e);
  }
  return [...byId.values()].sort((a, b) => comparePositions(a.position, b.position));
}

/**
 * An audit bundle: the scope's events as NDJSON, the latest signed tree head, an inclusion proof
 * for every event against it, the public key, and a manifest with the SHA-256 of every file.
 * The format is specified in the service README.
 */
export async function buildBundle(deps: { store: EventStore; sql: SqlExecutor; leaves: LeafLog; key: TreeHeadKey; now?: () => Date }, scope: Bundle['manifest']['scope']): Promise<Bundle> {
  const head = await latestTreeHead(deps.store);
  if (!head) throw appError('NOT_FOUND', 'no tree head has been sealed yet: an admin can seal one with POST /v1/audit/tree-heads');
  const events = await scopeEvents(deps.store, scope);
  await deps.leaves.catchUp();
  const indices = await witnessIndices(deps.sql, events.map((e) => e.id));
  const covered = events.filter((e) => (indices.get(e.id) ?? Infinity) < head.treeSize);
  const eventsText = covered.map((e) => `${JSON.stringify(e)}\n`).join('');
  const proofsText = covered
    .map((e) => {
      const leafIndex = indices.get(e.id) ?? -1;
      const path = deps.leaves.levels.inclusionProof(leafIndex, head.treeSize).map((p) => p.toString('hex'));
      return `${JSON.stringify({ eventId: e.id, leafIndex, treeSize: head.treeSize, path })}\n`;
    })
    .join('');
  const files: Record<string, string> = {
    'events.ndjson': eventsText,
    'proofs.ndjson': proofsText,
    'tree-head.json': `${JSON.stringify(head, null, 2)}\n`,
    'public-key.pem': deps.key.publicKeyPem,
  };
  const manifest: Bundle['manifest'] = {
    format: BUNDLE_FORMAT,
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
    scope,
    treeHead: { treeSize: head.treeSize, rootHash: head.rootHash, keyId: head.keyId },
    events: covered.length,
    eventsAfterTreeHead: events.length - covered.length,
    files: Object.entries(files).map(([name, text]) => ({ name, sha256: sha256(text), bytes: Buffer.byteLength(text, 'utf8') })),
  };
  files['manifest.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  return { manifest, files };
}
