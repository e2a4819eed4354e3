import { jsonEvent, type EventStoreDBClient } from '@eventstore/db-client';
import { duplicateEventId } from '../errors.js';
import { isWrongExpectedVersion, toPortError } from './errors.js';
import { scan } from './read.js';

/**
 * EventStoreDB deduplicates event ids only within one stream's recent writes; the port promises
 * an id is stored once in the whole store. So before an append, each event id is claimed for its
 * stream by creating the stream `_eventid-<id>` with `no_stream` — ESDB settles a race for it.
 * The leading underscore cannot start a port stream name, and readers skip such streams.
 *
 * A claim is never released: an id offered to one stream belongs to it even if that append then
 * failed (a conflict). Retrying it in the same stream is fine; using it for another stream is a
 * DUPLICATE_EVENT_ID. Ids are fresh UUIDs per event, so only a buggy caller can notice.
 */
export const CLAIM_PREFIX = '_eventid-';
const CLAIM_TYPE = 'EventIdClaimed';
const PARALLEL = 32;

export function claimStream(id: string): string {
  return `${CLAIM_PREFIX}${id}`;
}

async function claimOwner(client: EventStoreDBClient, id: string): Promise<string | undefined> {
  let owner: string | undefined;
  await scan(client.readStream(claimStream(id), { fromRevision: 'start', maxCount: 1 }), (resolved) => {
    const data = resolved.event?.data;
    if (typeof data === 'object' && data !== null && 'stream' in data && typeof data.stream === 'string') owner = data.stream;
    return false;
  });
  return owner;
}

async function claimOne(client: EventStoreDBClient, stream: string, id: string): Promise<{ id: string; owner: string | undefined; fresh: boolean }> {
  try {
    // A random event id: a second claimant with the same id must conflict, not look idempotent.
    await client.appendToStream(claimStream(id), jsonEvent({ type: CLAIM_TYPE, data: { stream } }), { expectedRevision: 'no_stream' });
    return { id, owner: stream, fresh: true };
  } catch (err) {
    if (!isWrongExpectedVersion(err)) throw toPortError(err, { stream });
    return { id, owner: await claimOwner(client, id), fresh: false };
  }
}

/**
 * Claims `ids` for `stream`. Throws DUPLICATE_EVENT_ID when any is claimed by another stream
 * (nothing is appended to `stream` then); returns the ids this stream had claimed before — they
 * may already be stored in it (a retried append), which the caller must look up.
 */
export async function claimIds(client: EventStoreDBClient, stream: string, ids: readonly string[]): Promise<Set<string>> {
  const results: Array<{ id: string; owner: string | undefined; fresh: boolean }> = [];
  for (let i = 0; i < ids.length; i += PARALLEL) {
    results.push(...(await Promise.all(ids.slice(i, i + PARALLEL).map((id) => claimOne(client, stream, id)))));
  }
  const elsewhere = results.filter((r) => r.owner !== stream).map((r) => r.id);
  if (elsewhere.length > 0) throw duplicateEventId(stream, elsewhere);
  return new Set(results.filter((r) => !r.fresh).map((r) => r.id));
}
