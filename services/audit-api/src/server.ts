import { startServer } from '@gongguan/platform';
import { auditApiService } from './app.js';
import { configSchema } from './config.js';

await startServer({
  title: 'Gongguan audit API',
  description: 'Replays the event store for auditors: history, state as of any time, verification and export bundles.',
  configSchema,
  services: [auditApiService],
  banner: (url) => `Gongguan audit API listening on ${url} (docs: ${url}/docs)`,
});
