import type { ServiceDeps } from '@gongguan/platform';
import type { EventStore } from './event-store.js';
import { createSqlEventStore } from './sql/sql-event-store.js';

/**
 * The event store of this process, shared by every service mounted in it: one instance, so
 * in-process wake-ups reach every subscriber (the all-in-one on PGlite relies on that).
 */
export function serviceEventStore(deps: Pick<ServiceDeps, 'sql' | 'logger' | 'shared'>): Promise<EventStore> {
  return deps.shared('event-store', () =>
    createSqlEventStore({ sql: deps.sql, logger: deps.logger.child({ component: 'event-store' }) }),
  );
}
