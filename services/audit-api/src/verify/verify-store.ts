import type { KeyObject } from 'node:crypto';
import { START_POSITION, type EventStore, type Position, type RecordedEvent } from '@gongguan/event-store';
import type { SqlExecutor } from '@gongguan/platform/db';
import { KEY_EVENT, KEY_STREAM, validAt, type KeyPeriod } from '../keys/key-registry.js';
import { verifyBytes } from '../keys/tree-head-key.js';
import { MerkleLevels } from '../merkle/levels.js';
import { buildStreamHeads } from '../merkle/stream-heads.js';
import { leafHash } from '../merkle/tree.js';
import { readWitness, witnessSize, type WitnessRow } from '../merkle/witness.js';
import { latestTreeHead } from '../tree-heads/sealer.js';
import { isTreeHeadEvent, TreeHeadData, treeHeadStatement } from '../tree-heads/tree-head.js';
import { createLogVerifier, type LogVerifier } from './log-verifier.js';
import { firstProblem, type VerificationProblem } from './problems.js';

const PAGE = 5000;
const PROGRESS_EVERY = 100_000;

export interface StoreVerification {
  ok: boolean;
  events: number;
  streams: number;
  treeHeads: { checked: number; latest: { treeSize: number; rootHash: string } | null; streamHeadsChecked: number };
  witness: { size: number; matchesStore: boolean };
  problemCount: number;
  problems: VerificationProblem[];
  firstBadEvent: VerificationProblem | null;
  durationMs: number;
}

/** A key heads may name: its public key and, where known, the periods it was valid in. */
export interface VerifyingKey {
  publicKey: KeyObject;
  /** Omitted: valid whenever (a key given by hand, not from the registry). */
  periods?: readonly KeyPeriod[];
}

interface HeadAt {
  index: number;
  event: RecordedEvent;
}

/**
 * Verifies the whole store: every stream's hash chain, the log against the witness of what was
 * sealed (naming the first event deleted, inserted or moved), and every signed tree head against
 * the root recomputed from the store. Progress goes to the log every 100,000 events.
 */
export async function verifyStore(deps: {
  store: EventStore;
  sql: SqlExecutor;
  /** Every registered key by keyId (`keys.all()`): each head is checked with the key it names. */
  keys: ReadonlyMap<string, VerifyingKey>;
  logger: { info(obj: object, msg: string): void };
}): Promise<StoreVerification> {
  const started = performance.now();
  const verifier = createLogVerifier();
  const sealedSize = await witnessSize(deps.sql);
  const heads: HeadAt[] = [];
  /** Key activations where they stand in the log: a head must be signed by the key in force at its place. */
  const activations: Array<{ index: number; keyId: string }> = [];
  let witnessMismatchAt: number | null = null;
  let witnessPage: WitnessRow[] = [];
  let after: Position = START_POSITION;
  // The latest head's stream-head tree is recomputed from the store at its size (older heads'
  // trees are proven by the bundles cut at them; recomputing every one would cost heads × streams).
  const latestHead = await latestTreeHead(deps.store).catch(() => undefined);
  const streamHeadsSize = latestHead?.streamHeadsRoot !== undefined ? latestHead.treeSize : -1;
  let streamHeadsAtSize: { count: number; root: string } | undefined;
  const snapshotStreamHeads = () => {
    const tree = buildStreamHeads(verifier.streamHeads());
    streamHeadsAtSize = { count: tree.count, root: tree.root.toString('hex') };
  };
  if (streamHeadsSize === 0) snapshotStreamHeads();

  for (;;) {
    const page = await deps.store.readAll({ after, limit: PAGE });
    const base = verifier.count;
    if (base < sealedSize && page.events.length > 0) witnessPage = await readWitness(deps.sql, base, page.events.length);
    for (const [i, event] of page.events.entries()) {
      const index = base + i;
      if (isTreeHeadEvent(event)) heads.push({ index, event });
      else if (event.stream === KEY_STREAM && event.type === KEY_EVENT && typeof event.data.keyId === 'string') activations.push({ index, keyId: event.data.keyId });
      const sealed = witnessPage[i];
      if (witnessMismatchAt === null && index < sealedSize && sealed !== undefined && (sealed.eventId !== event.id || sealed.hash !== event.hash)) {
        witnessMismatchAt = index;
        verifier.report(notAsSealed(index, sealed, event));
      }
      verifier.add(event);
      if (verifier.count === streamHeadsSize) snapshotStreamHeads();
      if (verifier.count % PROGRESS_EVERY === 0) {
        const seconds = (performance.now() - started) / 1000;
        deps.logger.info({ checked: verifier.count, eventsPerSecond: Math.round(verifier.count / seconds) }, 'verifying the store');
      }
    }
    after = page.position;
    if (page.caughtUp || page.events.length === 0) break;
  }

  if (witnessMismatchAt === null && verifier.count < sealedSize) {
    witnessMismatchAt = verifier.count;
    const [gone] = await readWitness(deps.sql, verifier.count, 1);
    verifier.report({
      kind: 'missing',
      index: verifier.count,
      eventId: gone?.eventId ?? null,
      stream: gone?.stream ?? null,
      revision: gone?.revision ?? null,
      detail: `the log ends after ${verifier.count} events but ${sealedSize} were sealed; this one is gone`,
    });
  }

  const witnessLevels = witnessMismatchAt === null ? verifier.levels : await loadWitnessLevels(deps.sql);
  const latest = checkHeads(heads, activations, verifier, witnessLevels, deps.keys);
  let streamHeadsChecked = 0;
  if (latestHead?.streamHeadsRoot !== undefined) {
    streamHeadsChecked = 1;
    const at = { index: streamHeadsSize - 1, eventId: null, stream: null, revision: null };
    if (streamHeadsAtSize === undefined) {
      verifier.report({ ...at, kind: 'tree-head-size', detail: `the latest head covers ${streamHeadsSize} events but the log has only ${verifier.count}` });
    } else if (streamHeadsAtSize.root !== latestHead.streamHeadsRoot || streamHeadsAtSize.count !== latestHead.streamCount) {
      verifier.report({
        ...at,
        kind: 'tree-head-stream-heads',
        detail: `the latest head's stream-head tree (${latestHead.streamCount} streams) no longer matches the streams of the log's first ${streamHeadsSize} events (${streamHeadsAtSize.count} streams): a stream's last events changed`,
        expected: latestHead.streamHeadsRoot,
        actual: streamHeadsAtSize.root,
      });
    }
  }
  const problems = [...verifier.problems].sort((a, b) => a.index - b.index);
  const result: StoreVerification = {
    ok: verifier.problemCount === 0,
    events: verifier.count,
    streams: verifier.streamCount,
    treeHeads: { checked: heads.length, latest, streamHeadsChecked },
    witness: { size: sealedSize, matchesStore: witnessMismatchAt === null },
    problemCount: verifier.problemCount,
    problems,
    firstBadEvent: firstProblem(problems),
    durationMs: Math.round(performance.now() - started),
  };
  deps.logger.info({ ok: result.ok, events: result.events, problems: result.problemCount, durationMs: result.durationMs, firstBadEvent: result.firstBadEvent }, 'store verified');
  return result;
}

function notAsSealed(index: number, sealed: WitnessRow, found: RecordedEvent): VerificationProblem {
  return {
    kind: 'not-as-sealed',
    index,
    eventId: sealed.eventId,
    stream: sealed.stream,
    revision: sealed.revision,
    detail:
      sealed.eventId === found.id
        ? `event ${found.id} (${found.stream}@${found.revision}) no longer has the hash it was sealed with`
        : `place ${index} of the log was sealed as event ${sealed.eventId} (${sealed.stream}@${sealed.revision}) but now holds ${found.id} (${found.stream}@${found.revision}): an event was deleted, inserted or moved here`,
    expected: `${sealed.eventId} ${sealed.hash}`,
    actual: `${found.id} ${found.hash}`,
  };
}

async function loadWitnessLevels(sql: SqlExecutor): Promise<MerkleLevels> {
  const levels = new MerkleLevels();
  for (;;) {
    const rows = await readWitness(sql, levels.size, PAGE);
    for (const row of rows) levels.push(leafHash(/^[0-9a-f]{64}$/.test(row.hash) ? row.hash : '0'.repeat(64)));
    if (rows.length < PAGE) return levels;
  }
}

function checkHeads(
  heads: readonly HeadAt[],
  activations: ReadonlyArray<{ index: number; keyId: string }>,
  verifier: LogVerifier,
  witness: MerkleLevels,
  keys: ReadonlyMap<string, VerifyingKey>,
): { treeSize: number; rootHash: string } | null {
  let latest: { treeSize: number; rootHash: string } | null = null;
  let lastGoodSize = 0;
  let activation = -1;
  for (const { index, event } of heads) {
    while (activation + 1 < activations.length && activations[activation + 1]!.index < index) activation++;
    const inForce = activations[activation]?.keyId;
    const at = { index, eventId: event.id, stream: event.stream, revision: event.revision };
    const parsed = TreeHeadData.safeParse(event.data);
    if (!parsed.success) {
      verifier.report({ ...at, kind: 'tree-head-malformed', detail: 'a TreeHeadSealed event does not hold a tree head' });
      continue;
    }
    const head = parsed.data;
    const key = keys.get(head.keyId);
    if (key === undefined) verifier.report({ ...at, kind: 'tree-head-unknown-key', detail: `signed by key ${head.keyId}, which was never registered` });
    else {
      if (!verifyBytes(key.publicKey, treeHeadStatement(head), head.signature)) verifier.report({ ...at, kind: 'tree-head-signature', detail: 'the signature does not verify' });
      if (key.periods !== undefined && !validAt(key.periods, head.sealedAt)) {
        verifier.report({
          ...at,
          kind: 'tree-head-key-validity',
          detail: `sealed at ${head.sealedAt} with key ${head.keyId}, which was not the signing key then`,
          expected: key.periods.map((p) => `${p.validFrom ?? '…'}–${p.validUntil ?? '…'}`).join(', '),
          actual: head.sealedAt,
        });
      } else if (inForce !== undefined && inForce !== head.keyId) {
        // sealedAt is the signer's own claim; the place in the log is not.
        verifier.report({
          ...at,
          kind: 'tree-head-key-validity',
          detail: `signed with key ${head.keyId}, but the key activated last before this place in the log is ${inForce}`,
          expected: inForce,
          actual: head.keyId,
        });
      }
    }
    if (head.treeSize > index) {
      verifier.report({ ...at, kind: 'tree-head-size', detail: `the head covers ${head.treeSize} events but only ${index} precede it` });
      continue;
    }
    const root = verifier.levels.rootAt(head.treeSize).toString('hex');
    if (root !== head.rootHash) {
      // Placed at the end of the range it vouches for: an exact finding inside the range comes first.
      verifier.report({
        index: head.treeSize - 1,
        eventId: null,
        stream: null,
        revision: null,
        kind: 'tree-head-mismatch',
        detail: `the head sealed over ${head.treeSize} events (event ${event.id}) no longer matches the log: an event at place ${lastGoodSize}…${head.treeSize - 1} changed`,
        expected: head.rootHash,
        actual: root,
      });
    } else lastGoodSize = head.treeSize;
    if (witness !== verifier.levels) {
      if (witness.size < head.treeSize) verifier.report({ ...at, kind: 'witness-incomplete', detail: `the witness has ${witness.size} leaves, the head covers ${head.treeSize}` });
      else if (witness.rootAt(head.treeSize).toString('hex') !== head.rootHash) {
        verifier.report({ ...at, kind: 'witness-altered', detail: `the witness table no longer matches the head over ${head.treeSize} events: it was edited too, so the places it names are not evidence` });
      }
    }
    latest = { treeSize: head.treeSize, rootHash: head.rootHash };
  }
  return latest;
}
