import { followStream } from '../tree-heads/stream-follower.js';
import { randomUUID } from 'node:crypto';
import { appError, isAppError, type Logger } from '@gongguan/platform';
import type { EventStore } from '@gongguan/event-store';
import { z } from 'zod';
import { headOfSize } from './served.js';
import type { TreeHead } from '../tree-heads/tree-head.js';
import { verifyCosignature, type Cosigner } from './cosignature.js';
import { checkpointText, parseNote } from './note.js';

/**
 * Witness cosignatures are events in their own stream, never in `audit-tree-heads` (whose last
 * event must stay the latest head), so the log seals them like anything else.
 */
export const COSIGNATURE_STREAM = 'audit-cosignatures';
export const COSIGNATURE_EVENT = 'CheckpointCosigned';

/** A witness may sign a little ahead of our clock, not more (tlog-cosignature lets verifiers refuse future times). */
const FUTURE_SKEW_SECONDS = 600;

export const CheckpointCosignedData = z.strictObject({
  origin: z.string(),
  treeSize: z.number().int().nonnegative(),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The witness's key name. */
  witness: z.string(),
  /** Its 4-byte cosignature key ID, hex. */
  keyId: z.string().regex(/^[0-9a-f]{8}$/),
  /** POSIX seconds at which the witness signed. */
  timestamp: z.number().int().nonnegative(),
  /** The signature line exactly as it goes under the checkpoint, newline included. */
  line: z.string(),
});
export type CheckpointCosignedData = z.infer<typeof CheckpointCosignedData>;

export interface CosignatureRequest {
  correlationId: string;
}

/** The note text of the checkpoint a head stands for (what witnesses sign). */
export function checkpointTextOfHead(head: TreeHead, origin: string): string {
  // A version-1 head has no sealed checkpoint; its text is still origin, size and root.
  return head.checkpoint === undefined ? checkpointText(origin, head.treeSize, head.rootHash) : parseNote(head.checkpoint).text;
}

/**
 * The log's side of witnessing: accepts cosignatures of configured witnesses over the checkpoint
 * of a sealed head, stores each once, and gives back the lines to append under a checkpoint.
 * Reads the stream forward from where it last stopped, so several processes see each other's.
 */
export function createCosignatureStore(deps: { store: EventStore; witnesses: readonly Cosigner[]; origin: string; logger: Logger; now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  const bySize = new Map<number, CheckpointCosignedData[]>();
  // A malformed cosignature event stops the reads here (never skipped): the error names it.
  const follower = followStream(deps.store, COSIGNATURE_STREAM, (event) => {
    const data = CheckpointCosignedData.parse(event.data);
    const list = bySize.get(data.treeSize) ?? [];
    list.push(data);
    bySize.set(data.treeSize, list);
  });
  const refresh = follower.refresh;

  async function cosignatures(treeSize: number): Promise<CheckpointCosignedData[]> {
    await refresh();
    return [...(bySize.get(treeSize) ?? [])];
  }

  /**
   * Verifies `body` (note signature lines) as cosignatures over the checkpoint of size `treeSize`
   * and stores the new ones. Lines of keys that are not configured witnesses are ignored, as
   * tlog-witness asks of clients, but at least one line must be a configured witness's; the first
   * line of each configured witness is checked, and one that does not verify refuses the whole request. A cosignature already
   * stored for that witness and size is not stored again (a retry answers the same).
   */
  async function add(treeSize: number, body: string, request: CosignatureRequest) {
    let lines;
    try {
      if (body.includes('\n\n')) throw new Error('a blank line among the signature lines');
      // Any valid note text in front lets the note parser split the lines; the real one is checked below.
      lines = parseNote(`x\n\n${body.endsWith('\n') ? body : `${body}\n`}`).signatures;
    } catch (err) {
      throw appError('VALIDATION_FAILED', `the body is not note signature lines (— <name> <base64>, one a line): ${(err as Error).message}`, {
        extra: { errors: [{ path: 'body', message: (err as Error).message }] },
      });
    }
    // The first line of each configured witness: at most one signature check per witness, whatever the body.
    const known = deps.witnesses.flatMap((witness) => {
      const line = lines.find((l) => l.name === witness.name && l.keyId.equals(witness.keyId));
      return line === undefined ? [] : [{ line, witness }];
    });
    // Refused before any read: the route is public, and only a configured witness's line costs a lookup.
    if (known.length === 0) {
      throw appError('FORBIDDEN', `none of the ${lines.length} signature line(s) is from a configured witness (AUDIT_WITNESS_KEYS)`, { publicCode: 'UNKNOWN_WITNESS' });
    }
    const head = await headOfSize(deps.store, treeSize);
    if (head === undefined) throw appError('NOT_FOUND', `no tree head of size ${treeSize} was sealed`);
    const text = checkpointTextOfHead(head, deps.origin);
    const verified: CheckpointCosignedData[] = [];
    for (const { line, witness } of known) {
      const result = verifyCosignature(text, line, witness);
      if (result === undefined) continue;
      if (!result.ok) throw appError('RULE_VIOLATION', `${result.reason} (size ${treeSize})`, { publicCode: 'COSIGNATURE_INVALID' });
      if (result.timestamp > BigInt(Math.floor(now().getTime() / 1000) + FUTURE_SKEW_SECONDS)) {
        throw appError('RULE_VIOLATION', `the cosignature of ${witness.name} is dated ${result.timestamp}, in the future`, { publicCode: 'COSIGNATURE_INVALID' });
      }
      verified.push({ origin: deps.origin, treeSize, rootHash: head.rootHash, witness: witness.name, keyId: witness.keyId.toString('hex'), timestamp: Number(result.timestamp), line: line.line });
    }
    for (let attempt = 0; ; attempt++) {
      await refresh();
      const existing = bySize.get(treeSize) ?? [];
      const fresh = verified.filter((v) => !existing.some((e) => e.keyId === v.keyId));
      if (fresh.length > 0) {
        try {
          await deps.store.append(
            COSIGNATURE_STREAM,
            fresh.map((data) => ({
              id: randomUUID(),
              type: COSIGNATURE_EVENT,
              schemaVersion: 1,
              data,
              // The witness is the author: its signature, not a token, is what admitted it.
              metadata: { actorId: data.witness, actorRole: 'witness', correlationId: request.correlationId },
            })),
            { expectedRevision: follower.expectedRevision() },
          );
        } catch (err) {
          // Another request stored cosignatures at the same moment: look again.
          if (attempt < 3 && isAppError(err) && err.code === 'CONCURRENCY_CONFLICT') continue;
          throw err;
        }
        deps.logger.info({ treeSize, witnesses: fresh.map((f) => f.witness) }, 'checkpoint cosigned');
        await refresh();
      }
      const stored = bySize.get(treeSize) ?? [];
      return {
        created: fresh.length > 0,
        treeSize,
        cosignatures: verified.map((v) => ({ ...(stored.find((s) => s.keyId === v.keyId) ?? v), new: fresh.includes(v) })),
      };
    }
  }

  return {
    add,
    cosignatures,
    /** The stored cosignature lines for the checkpoint of size `treeSize`, each ending in a newline, to append under its signature. */
    async cosignatureLines(treeSize: number): Promise<string[]> {
      return (await cosignatures(treeSize)).map((c) => c.line);
    },
  };
}

export type CosignatureStore = ReturnType<typeof createCosignatureStore>;
