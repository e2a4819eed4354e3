import { startServer } from '@gongguan/platform';
import { projectorService } from './app.js';
import { configSchema } from './config.js';

await startServer({
  title: 'Gongguan projector',
  description: 'Keeps the read models current from the event store; rebuilds them on demand.',
  configSchema,
  services: [projectorService],
  banner: (url) => `Gongguan projector listening on ${url} (docs: ${url}/docs)`,
});
