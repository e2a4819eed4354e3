import type { ServiceMount } from '@gongguan/platform';
import type { FastifyPluginAsync } from 'fastify';
import type { Config } from './config.js';

/** Keeps the read models current from the event store; rebuilds them on demand. */
export const projector: FastifyPluginAsync = async () => {
  // Routes arrive with the service's own issue; the plugin is mounted already so both run modes are real.
};

export const projectorService: ServiceMount<Config> = {
  name: 'projector',
  async mount(app) {
    await app.register(projector);
  },
};
