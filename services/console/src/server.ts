import { startServer } from '@gongguan/platform';
import { consoleService } from './app.js';
import { configSchema } from './config.js';

// Split mode: the console on its own. Its page calls the API at the same origin, so a reverse
// proxy (infra/Caddyfile) routes /v1, /openapi.json and /docs to the API services.
await startServer({
  title: 'Gongguan console',
  description: 'The web console: built assets, its settings, and the development sign-in.',
  configSchema,
  services: [consoleService],
  banner: (url) => `Gongguan console listening on ${url}`,
});
