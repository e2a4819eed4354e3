import { concurrencyError } from '../errors.js';
import type { AppendResult, StreamAppend } from '../event-store.js';
import { normaliseExpectedRevision, validateEvents, validationFailed, assertStreamName } from '../validation.js';
import { appendToEsdb, type EsdbAppendContext } from './append.js';
import { findIdsInStream, readHead } from './read.js';
import { expectationFails } from './revisions.js';

/**
 * `appendMulti` on EventStoreDB, step by step: `@eventstore/db-client` has no multi-stream append,
 * so this is NOT atomic (`capabilities.atomicMultiStream: false`). Every part is validated and
 * every expectation checked first, so a call that is wrong from the start writes nothing; then the
 * parts are appended one by one in the given order. A conflict that arises between the check and a
 * later part leaves the earlier parts written: the caller's own ids make a retry of the whole call
 * finish it (each part answers as a retry where it was written).
 */
export async function appendMultiToEsdb(ctx: EsdbAppendContext, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
  if (!Array.isArray(appends as unknown)) throw validationFailed('appends must be an array', [{ path: 'appends', message: 'must be an array' }]);
  const streams = new Set<string>();
  const ids = new Set<string>();
  for (const [k, part] of appends.entries()) {
    assertStreamName(part.stream);
    if (streams.has(part.stream)) throw validationFailed('a stream appears twice in one appendMulti', [{ path: `appends[${k}].stream`, message: 'appears twice' }]);
    streams.add(part.stream);
    for (const [i, event] of validateEvents(part.events).entries()) {
      if (ids.has(event.id)) throw validationFailed('an event id appears twice in one appendMulti', [{ path: `appends[${k}].events[${i}].id`, message: 'appears twice' }]);
      ids.add(event.id);
    }
  }
  for (const part of appends) {
    const expected = normaliseExpectedRevision(part.expectedRevision);
    const head = await readHead(ctx.client, part.stream);
    if (!expectationFails(expected, head?.revision)) continue;
    // A retry of a call that got this far already: the part answers as a retry when appended.
    const found = part.events.length > 0 ? await findIdsInStream(ctx.client, part.stream, part.events.map((e) => e.id.toLowerCase())) : new Map();
    if (found.size === 0) throw concurrencyError(part.stream, expected, head?.revision);
  }
  const results: AppendResult[] = [];
  for (const part of appends) {
    results.push(await appendToEsdb(ctx, part.stream, part.events, { expectedRevision: part.expectedRevision }));
  }
  return results;
}
