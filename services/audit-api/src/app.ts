import { randomUUID } from 'node:crypto';
import { serviceEventStore } from '@gongguan/event-store';
import type { HttpApp, ServiceDeps, ServiceMount } from '@gongguan/platform';
import { auditSettings, type Config } from './config.js';
import { parseCosignerKey } from './checkpoint/cosignature.js';
import { createCosignatureStore } from './checkpoint/cosignature-store.js';
import { verifierKey } from './checkpoint/note.js';
import { createKeyRegistry } from './keys/key-registry.js';
import { loadTreeHeadKey } from './keys/tree-head-key.js';
import { createLeafLog } from './merkle/leaf-log.js';
import { migrateAudit } from './merkle/witness.js';
import { bundleRoutes } from './routes/bundle-routes.js';
import { checkpointRoutes } from './routes/checkpoint-routes.js';
import { cosignatureRoutes } from './routes/cosignature-routes.js';
import type { AuditContext } from './routes/context.js';
import { keyRoutes } from './routes/key-routes.js';
import { historyRoutes } from './routes/history-routes.js';
import { stateRoutes } from './routes/state-routes.js';
import { treeHeadRoutes } from './routes/tree-head-routes.js';
import { verifyRoutes } from './routes/verify-routes.js';
import { createBureauScope } from './bureau/bureau-scope.js';
import { createSealer } from './tree-heads/sealer.js';
import { SnapshotCache } from './state/snapshots.js';

/** Registers every audit route on `app`. */
export function auditRoutes(app: HttpApp, ctx: AuditContext): void {
  historyRoutes(app, ctx);
  stateRoutes(app, ctx);
  verifyRoutes(app, ctx);
  treeHeadRoutes(app, ctx);
  checkpointRoutes(app, ctx);
  bundleRoutes(app, ctx);
  cosignatureRoutes(app, ctx);
  keyRoutes(app, ctx);
}

/** Builds what the routes need: the store, the witness, the signing key and the sealer. */
export async function createAuditContext(deps: ServiceDeps<Config>): Promise<AuditContext & { sealIntervalMs: number }> {
  const settings = auditSettings(deps.config);
  const store = await serviceEventStore(deps);
  await migrateAudit(deps.sql);
  const key = loadTreeHeadKey({ path: settings.signingKeyFile, dataDir: settings.dataDir, production: settings.production });
  if (key.created) deps.logger.info({ keyId: key.keyId }, 'created a tree-head signing key (embedded default)');
  const keys = createKeyRegistry({ store, logger: deps.logger });
  await keys.activate(key, verifierKey(settings.origin, key.publicKey), { actorId: 'audit-api', actorRole: 'system', correlationId: `start-${randomUUID()}` });
  const cosignatures = createCosignatureStore({ store, witnesses: settings.witnessKeys.map(parseCosignerKey), origin: settings.origin, logger: deps.logger });
  const leaves = createLeafLog({ sql: deps.sql, store, logger: deps.logger });
  const sealer = createSealer({ store, leaves, key, origin: settings.origin, logger: deps.logger });
  return { store, sql: deps.sql, leaves, sealer, key, origin: settings.origin, keys, cosignatures, snapshots: new SnapshotCache(), bureaus: createBureauScope({ store, logger: deps.logger }), bundleEvidenceMaxBytes: settings.bundleEvidenceMaxBytes, sealIntervalMs: settings.sealIntervalMs };
}

/** Replays the event store for auditors: history, state as of any time, verification and export bundles. */
export const auditApiService: ServiceMount<Config> = {
  name: 'audit-api',
  async mount(app, deps) {
    const ctx = await createAuditContext(deps);
    auditRoutes(app, ctx);
    if (ctx.sealIntervalMs > 0) {
      let sealing: Promise<unknown> = Promise.resolve();
      const timer = setInterval(() => {
        sealing = ctx.sealer
          .seal({ actorId: 'audit-api', actorRole: 'system', correlationId: `seal-${randomUUID()}`, reason: 'periodic seal' })
          .catch((err: unknown) => deps.logger.error({ err }, 'periodic tree-head seal failed'));
      }, ctx.sealIntervalMs);
      timer.unref();
      app.addHook('onClose', async () => {
        clearInterval(timer);
        await sealing;
      });
    }
  },
};
