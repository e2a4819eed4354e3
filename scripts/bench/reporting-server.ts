/**
 * The reporting API in a process of its own for the province benchmark, started by `system.ts`
 * (`startServer(…, 'reporting-server.ts')`) with `fork`: the same `buildServer` and service mount
 * as `services/reporting-api/src/server.ts`. Sends `{ url }` once listening; `{ close: true }`
 * closes the app and exits; `{ cpu: true }` answers the process's CPU time.
 */
import { reportingApiService } from '@gongguan/reporting-api';
import { configSchema } from '@gongguan/reporting-api/config';
import { buildServer } from '@gongguan/platform';

const { app } = await buildServer({ title: 'Gongguan reporting API (benchmark)', configSchema, services: [reportingApiService] }, process.env);
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

type Message = { close?: boolean; cpu?: boolean; id?: number };
process.on('message', (message: Message) => {
  void (async () => {
    if (message.cpu) {
      const { user, system } = process.cpuUsage();
      process.send?.({ id: message.id, ok: true, cpuMs: (user + system) / 1000 });
      return;
    }
    if (message.close) {
      await app.close();
      process.send?.({ id: message.id, closed: true });
      process.disconnect?.();
      return;
    }
    process.send?.({ id: message.id, ok: true });
  })();
});
process.send?.({ url });
