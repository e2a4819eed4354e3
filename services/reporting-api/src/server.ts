import { startServer } from '@gongguan/platform';
import { reportingApiService } from './app.js';
import { configSchema } from './config.js';

await startServer({
  title: 'Gongguan reporting API',
  description: 'Reads the projections: project status, portfolio, ledgers, due and overdue items, CSV exports.',
  configSchema,
  services: [reportingApiService],
  banner: (url) => `Gongguan reporting API listening on ${url} (docs: ${url}/docs)`,
});
