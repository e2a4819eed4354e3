import { eventTypeFilter, streamNameFilter, type Filter } from '@eventstore/db-client';
import { STREAM_NAME, STREAM_NAME_MAX, type CheckedFilter } from '../validation.js';

export { checkFilter, type CheckedFilter } from '../validation.js';

/**
 * True for streams the port can name. ESDB's system streams (`$…`) and this adapter's
 * event-id claims (`_eventid-…`) never match, so readers never see them.
 */
export function isPortStream(stream: string): boolean {
  return stream.length <= STREAM_NAME_MAX && STREAM_NAME.test(stream);
}

/** Whether a port event passes the filter: prefixes literal, types exact. */
export function matchesFilter(event: { stream: string; type: string }, filter: CheckedFilter): boolean {
  if (filter.prefixes && !filter.prefixes.some((p) => event.stream.startsWith(p))) return false;
  if (filter.types && !filter.types.includes(event.type)) return false;
  return true;
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The server-side filter of a live subscription. ESDB takes one filter, on stream names or on
 * event types: prefixes when given (they also keep system streams out: port prefixes start with
 * a letter), else exact event types as an anchored regex, else every stream whose name starts
 * with a lower-case letter, which leaves out `$…` system streams and `_eventid-…` claims.
 * Events are matched again on the client, so the server filter only needs to be wide enough.
 */
export function subscriptionFilter(filter: CheckedFilter): Filter {
  if (filter.prefixes) return streamNameFilter({ prefixes: filter.prefixes });
  if (filter.types) return eventTypeFilter({ regex: `^(?:${filter.types.map(escapeRegex).join('|')})$` });
  return streamNameFilter({ regex: '^[a-z]' });
}
