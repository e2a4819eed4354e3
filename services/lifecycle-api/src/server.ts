import { startServer } from '@gongguan/platform';
import { lifecycleApiService } from './app.js';
import { configSchema } from './config.js';

await startServer({
  title: 'Gongguan lifecycle API',
  description: 'Commands of officers, reviewers, approvers and finance: every change to a programme, project, disbursement or subsidy ledger.',
  configSchema,
  services: [lifecycleApiService],
  banner: (url) => `Gongguan lifecycle API listening on ${url} (docs: ${url}/docs)`,
});
