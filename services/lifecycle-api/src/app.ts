import type { ServiceMount } from '@gongguan/platform';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from './config.js';

/** Commands of officers, reviewers, approvers and finance: every change to a programme, project, disbursement or subsidy ledger. */
export const lifecycleApi: FastifyPluginAsync = async () => {
  // Routes arrive with the service's own issue; the plugin is mounted already so both run modes are real.
};

export const lifecycleApiService: ServiceMount<Config> = {
  name: 'lifecycle-api',
  async mount(app) {
    await app.register(lifecycleApi);
  },
};
