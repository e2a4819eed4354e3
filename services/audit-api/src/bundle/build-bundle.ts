import { createHash } from 'node:crypto';
import { parseLedgerStream, programme, project } from '@gongguan/domain';
import { comparePositions, type EventStore, type RecordedEvent } from '@gongguan/event-store';
import { appError, isAppError, type AppError } from '@gongguan/platform';
import { notFound } from '../bureau/bureau-scope.js';
import type { SqlExecutor } from '@gongguan/platform/db';
import { noteKeyId, ED25519_NOTE_TYPE, verifierKey } from '../checkpoint/note.js';
import type { KeyRegistry, RegisteredKey } from '../keys/key-registry.js';
import { rawPublicKey } from '../keys/tree-head-key.js';
import type { LeafLog } from '../merkle/leaf-log.js';
import { witnessIndices } from '../merkle/witness-lookup.js';
import { disbursementStreamsFor, programmeProjects } from '../history/project-history.js';
import type { Sealer } from '../tree-heads/sealer.js';
import type { TreeHead } from '../tree-heads/tree-head.js';
import { streamClosure } from './closure.js';
import { carriedFiles, recordedFiles, type CarriedFile } from './evidence.js';

export const BUNDLE_FORMAT = 'gongguan-audit-bundle/2';

/** What a bundle is of: a project, a programme (and its projects), or one enterprise-year ledger (R2 `subsidy-…` or R3 `r3-…`). */
export interface BundleScope {
  kind: 'project' | 'programme' | 'ledger';
  id: string;
}

/**
 * What the caller may see (the routes pass the caller's bureau subtree): the resource itself, or
 * its id's 404; and every stream the bundle would carry, or a refusal naming none of them.
 */
export interface BundleAccess {
  resource(stream: string, missing: () => AppError): Promise<void>;
  all(streams: Iterable<string>): Promise<void>;
}

export interface Bundle {
  manifest: {
    format: string;
    createdAt: string;
    scope: BundleScope;
    treeHead: { treeSize: number; rootHash: string; keyId: string; streamCount: number; streamHeadsRoot: string };
    /** The key that signed the head: its keyId, and its name and id as a C2SP note key (the checkpoint's origin). */
    key: { keyId: string; noteKeyName: string; noteKeyId: string; verifierKey: string };
    events: number;
    streams: number;
    /** Events of the carried streams recorded after the head (by someone else meanwhile): not in the bundle. */
    eventsAfterTreeHead: number;
    files: Array<{ name: string; sha256: string; bytes: number }>;
    /**
     * The evidence files the carried events record (issue 19), each once; `included`: their bytes
     * are in `evidence` (asked for with ?evidence=true), written as `evidence/<sha256>` in a bundle directory.
     */
    evidence: { included: boolean; files: Array<{ sha256: string; bytes: number; mediaType: string; names: string[] }> };
  };
  /** File name → exact text (UTF-8); `manifest.json` is among them. */
  files: Record<string, string>;
  /** The evidence files' bytes (base64), when asked for. */
  evidence?: CarriedFile[];
}

/** What else the bundle carries. */
export interface BundleOptions {
  /** Carry the bytes of every evidence file the events record, up to `evidenceMaxBytes` in all. */
  evidence?: { maxBytes: number } | undefined;
}

export interface BundleDeps {
  store: EventStore;
  sql: SqlExecutor;
  leaves: LeafLog;
  sealer: Sealer;
  /** Every tree-head key the log has used: a head is carried with the key that signed it. */
  keys: Pick<KeyRegistry, 'byId'>;
  now?: () => Date;
}

/** Who asks for the bundle: the seal it makes first is theirs. */
export interface BundleActor {
  actorId: string;
  actorRole: string;
  correlationId: string;
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

async function readOrEmpty(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(stream);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return [];
    throw err;
  }
}

/** The streams a scope starts from (the resource's own first: 404 unless the caller may see it); the closure rule adds what their money depends on. */
async function seedStreams(store: EventStore, scope: BundleScope, access: BundleAccess): Promise<string[]> {
  switch (scope.kind) {
    case 'project': {
      await access.resource(project.streamName(scope.id), notFound('project', scope.id));
      return [project.streamName(scope.id), ...(await disbursementStreamsFor(store, new Set([scope.id])))];
    }
    case 'programme': {
      await access.resource(programme.streamName(scope.id), notFound('programme', scope.id));
      const projects = await programmeProjects(store, scope.id);
      return [programme.streamName(scope.id), ...projects.map(project.streamName), ...(await disbursementStreamsFor(store, new Set(projects)))];
    }
    case 'ledger': {
      if (parseLedgerStream(scope.id) === undefined) throw appError('VALIDATION_FAILED', `${scope.id} is not an enterprise-year ledger (subsidy-[<bureau>-]<credit code>-<year> or r3-[<bureau>-]<credit code>-<year>)`);
      await access.resource(scope.id, notFound('ledger', scope.id));
      return [scope.id];
    }
    default: {
      const never: never = scope.kind;
      throw new Error(`unknown bundle scope ${String(never)}`);
    }
  }
}

/** The registered key that signed `head` (after a rotation, the latest head may still be the old key's). */
async function signingKeyOf(deps: BundleDeps, head: TreeHead): Promise<RegisteredKey> {
  const key = await deps.keys.byId(head.keyId);
  if (key === undefined) throw appError('INTERNAL', `tree head ${head.treeSize} was signed by key ${head.keyId}, which was never registered`);
  return key;
}

/** The v2 fields a complete bundle needs; a head sealed before v2 has none. */
function v2Fields(head: TreeHead): { streamCount: number; streamHeadsRoot: string; origin: string; checkpoint: string } {
  const { streamCount, streamHeadsRoot, origin, checkpoint } = head;
  if (streamCount === undefined || streamHeadsRoot === undefined || origin === undefined || checkpoint === undefined) {
    throw appError('INTERNAL', `tree head ${head.treeSize} is a v1 head: it signs no stream heads, so no bundle can prove a stream whole against it`);
  }
  return { streamCount, streamHeadsRoot, origin, checkpoint };
}

/**
 * An audit bundle (format in the service README): seals first, so the head covers everything up
 * to now; then carries every stream of the scope's closure in full up to that head, with an
 * inclusion proof per event, a stream-head proof per stream, the signed head, its checkpoint, the
 * key that signed it, and a manifest with the SHA-256 of every file.
 */
export async function buildBundle(deps: BundleDeps, scope: BundleScope, actor: BundleActor, access: BundleAccess, options: BundleOptions = {}): Promise<Bundle> {
  const seeds = await seedStreams(deps.store, scope, access);
  await access.all(seeds);
  // The reason names the kind, not the id: `audit-tree-heads` is read by every bureau's auditors.
  const { head } = await deps.sealer.seal({ ...actor, reason: `bundle export: ${scope.kind}` });
  const v2 = v2Fields(head);
  const heads = await deps.leaves.streamHeadsAt(head.treeSize);
  if (heads.count !== v2.streamCount || heads.root.toString('hex') !== v2.streamHeadsRoot) {
    throw appError('INTERNAL', `the stream heads recomputed at tree size ${head.treeSize} differ from what the head signed`);
  }
  let after = 0;
  const carried = await streamClosure(seeds, async (stream) => {
    const sealed = heads.head(stream);
    if (!sealed) return [];
    const all = await readOrEmpty(deps.store, stream);
    const cut = all.slice(0, sealed.revision + 1);
    if (cut.length !== sealed.revision + 1 || cut.at(-1)?.hash !== sealed.hash) {
      throw appError('INTERNAL', `stream ${stream} no longer holds revision ${sealed.revision} as the head sealed it: run GET /v1/audit/verify`);
    }
    after += all.length - cut.length;
    return cut;
  });
  // The closure must stay within what the caller may see: a stream outside refuses the export.
  await access.all(carried.keys());

  const events = [...carried.values()].flat().sort((a, b) => comparePositions(a.position, b.position));
  const indices = await witnessIndices(deps.sql, events.map((e) => e.id));
  const proofs = events.map((e) => {
    const leafIndex = indices.get(e.id);
    if (leafIndex === undefined || leafIndex >= head.treeSize) throw appError('INTERNAL', `event ${e.id} is not among the ${head.treeSize} leaves sealed`);
    const path = deps.leaves.levels.inclusionProof(leafIndex, head.treeSize).map((p) => p.toString('hex'));
    return `${JSON.stringify({ eventId: e.id, leafIndex, treeSize: head.treeSize, path })}\n`;
  });
  const byUtf8 = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  const streamHeads = [...carried.keys()].sort(byUtf8).map((stream) => {
    const h = heads.head(stream);
    if (!h) throw new Error(`stream ${stream} was carried without a stream head`);
    return `${JSON.stringify({ stream, revision: h.revision, hash: h.hash, index: h.index, streamCount: heads.count, path: h.path.map((p) => p.toString('hex')) })}\n`;
  });

  const recorded = recordedFiles(events);
  const evidence = options.evidence ? await carriedFiles(deps.sql, recorded, options.evidence.maxBytes) : undefined;
  const key = await signingKeyOf(deps, head);
  const files: Record<string, string> = {
    'events.ndjson': events.map((e) => `${JSON.stringify(e)}\n`).join(''),
    'proofs.ndjson': proofs.join(''),
    'stream-heads.ndjson': streamHeads.join(''),
    'tree-head.json': `${JSON.stringify(head, null, 2)}\n`,
    'checkpoint.txt': v2.checkpoint,
    'public-key.pem': key.publicKeyPem,
  };
  const manifest: Bundle['manifest'] = {
    format: BUNDLE_FORMAT,
    createdAt: (deps.now ?? (() => new Date()))().toISOString(),
    scope,
    treeHead: { treeSize: head.treeSize, rootHash: head.rootHash, keyId: head.keyId, streamCount: v2.streamCount, streamHeadsRoot: v2.streamHeadsRoot },
    key: {
      keyId: key.keyId,
      noteKeyName: v2.origin,
      noteKeyId: noteKeyId(v2.origin, ED25519_NOTE_TYPE, rawPublicKey(key.publicKey)).toString('hex'),
      verifierKey: verifierKey(v2.origin, key.publicKey),
    },
    events: events.length,
    streams: carried.size,
    eventsAfterTreeHead: after,
    files: Object.entries(files).map(([name, text]) => ({ name, sha256: sha256(text), bytes: Buffer.byteLength(text, 'utf8') })),
    evidence: { included: evidence !== undefined, files: recorded },
  };
  files['manifest.json'] = `${JSON.stringify(manifest, null, 2)}\n`;
  return { manifest, files, ...(evidence ? { evidence } : {}) };
}
