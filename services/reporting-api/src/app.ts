import type { ServiceMount } from '@gongguan/platform';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from './config.js';

/** Reads the projections: project status, portfolio, ledgers, due and overdue items, CSV exports. */
export const reportingApi: FastifyPluginAsync = async () => {
  // Routes arrive with the service's own issue; the plugin is mounted already so both run modes are real.
};

export const reportingApiService: ServiceMount<Config> = {
  name: 'reporting-api',
  async mount(app) {
    await app.register(reportingApi);
  },
};
