import t from 'tap';
import type { EventStore, SubscriptionItem } from '@gongguan/event-store';
import { allProjections, startProjector } from '../src/index.js';
import { databases, silent } from './helpers.js';

const { targets, skipped } = databases();
if (skipped) t.comment(skipped);

for (const target of targets) {
  /**
   * Issue 16, finding 9: after the database came back, the projector followed the store again but
   * `/readyz` kept saying "the projector keeps failing" until some new event happened to arrive.
   */
  t.test('the projector is ready again once it has caught up after failing, with no new event', async (t) => {
    const h = await target();
    t.teardown(() => h.close());
    let down = true;
    const unreachable: AsyncIterable<SubscriptionItem> = {
      [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(Object.assign(new Error('the database system is starting up'), { code: '57P03' })) }),
    };
    const store: EventStore = { ...h.store, subscribe: (options) => (down ? unreachable : h.store.subscribe(options)) };
    const projector = startProjector({ sql: h.sql, store, projections: allProjections, logger: silent, retryDelayMs: 10 });
    t.teardown(() => projector.stop());

    let readiness = await projector.readiness();
    for (let i = 0; i < 200 && readiness.ok; i++) {
      await new Promise((r) => setTimeout(r, 10));
      readiness = await projector.readiness();
    }
    t.match(readiness, { ok: false, code: 'PROJECTOR_FAILING' }, 'not ready while the store cannot be read');
    t.match(readiness.detail, /starting up/, 'the detail (for the log and admins) says why');

    down = false;
    const started = Date.now();
    for (let i = 0; i < 300 && !readiness.ok; i++) {
      await new Promise((r) => setTimeout(r, 10));
      readiness = await projector.readiness();
    }
    t.same(readiness, { ok: true }, `ready again without any event appended since: ${readiness.detail ?? ''}`);
    t.ok(Date.now() - started < 3_000, `within ${Date.now() - started} ms`);
  });
}
