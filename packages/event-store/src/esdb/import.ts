import type { EventStoreDBClient } from '@eventstore/db-client';
import type { RecordedEvent } from '../event-store.js';
import { assertStreamName } from '../validation.js';
import { envelopeOf } from './chain.js';
import { claimIds } from './claims.js';
import { toEsdbEventData } from './envelope.js';
import { toPortError } from './errors.js';
import { comparePresent, planImport, runsByStream, type EventImporter, type ImportHead } from './import-plan.js';
import { lastPortEvent, readHead, readStreamEvents } from './read.js';

/** Keeps each write well under ESDB's default MaxAppendSize (1 MiB). */
const CHUNK_BYTES = 512 * 1024;

function chunks(events: readonly RecordedEvent[]): RecordedEvent[][] {
  const out: RecordedEvent[][] = [];
  let current: RecordedEvent[] = [];
  let bytes = 0;
  for (const event of events) {
    const size = JSON.stringify(event).length;
    if (current.length > 0 && bytes + size > CHUNK_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(event);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Writes copied events into EventStoreDB as they are (see `EventImporter`), stream run by stream
 * run in the order given, each at the exact expected revision, with the same id claims as a
 * normal append. Not atomic across runs: a crash leaves a prefix, which a resumed copy skips.
 */
export function createEsdbImporter(client: EventStoreDBClient): EventImporter {
  // Single writer during a copy, so heads seen or written stay true.
  const heads = new Map<string, ImportHead | undefined>();
  return {
    async importEvents(events) {
      let written = 0;
      let skipped = 0;
      for (const run of runsByStream(events)) {
        const stream = run[0]?.stream ?? '';
        assertStreamName(stream);
        let head = heads.has(stream) ? heads.get(stream) : await readHead(client, stream);
        const { present, missing } = planImport(run, head);
        if (present.length > 0) {
          const from = present[0]?.revision ?? 0;
          const stored = await readStreamEvents(client, stream, { fromRevision: from, toRevision: from + present.length - 1 });
          comparePresent(present, new Map(stored.map((e) => [e.revision, e])));
          skipped += present.length;
        }
        for (const chunk of chunks(missing)) {
          await claimIds(client, stream, chunk.map((e) => e.id));
          try {
            await client.appendToStream(stream, chunk.map((e) => toEsdbEventData(envelopeOf(e))), {
              expectedRevision: head ? BigInt(head.revision) : 'no_stream',
            });
          } catch (err) {
            throw toPortError(err, { stream, expected: head ? head.revision : 'no_stream' });
          }
          const last = chunk[chunk.length - 1];
          if (last) head = { revision: last.revision, hash: last.hash };
          written += chunk.length;
        }
        heads.set(stream, head);
      }
      return { written, skipped };
    },
    lastStoredEvent: () => lastPortEvent(client),
  };
}
