import type { ServiceMount } from '@gongguan/platform';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from './config.js';

/** Replays the event store for auditors: history, state as of any time, verification and export bundles. */
export const auditApi: FastifyPluginAsync = async () => {
  // Routes arrive with the service's own issue; the plugin is mounted already so both run modes are real.
};

export const auditApiService: ServiceMount<Config> = {
  name: 'audit-api',
  async mount(app) {
    await app.register(auditApi);
  },
};
