import { Validator } from '@seriousme/openapi-schema-validator';
import t from 'tap';
import { lifecycleService, startSystem, testClock } from './support/system.js';

t.test('/openapi.json documents every command route with its roles, schemas and an example', async (t) => {
  const system = await startSystem(t, 'pglite', [lifecycleService({ env: testClock('2018-05-01T00:00:00Z').env, redriver: false })]);
  const res = await system.app.inject({ method: 'GET', url: '/openapi.json' });
  t.equal(res.statusCode, 200);
  const doc = res.json() as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { example?: unknown } }> }; security?: unknown; description?: string; responses: Record<string, unknown> }>> };
  t.equal(doc.openapi, '3.1.0');
  const validation = await new Validator().validate(structuredClone(doc) as Parameters<Validator["validate"]>[0]);
  t.ok(validation.valid, `valid OpenAPI 3.1${validation.valid ? '' : `: ${JSON.stringify(validation.errors).slice(0, 800)}`}`);
  const routes = system.app.routesTable.filter((r) => r.url.startsWith('/v1/'));
  for (const route of routes) {
    const path = route.url.replace(/:([A-Za-z]+)/g, '{$1}');
    const op = doc.paths[path]?.[route.method.toLowerCase()];
    if (!op) {
      t.fail(`${route.method} ${path} is missing`);
      continue;
    }
    if (route.roles === 'public') continue;
    if (!op.security || !/Roles: /.test(op.description ?? '')) t.fail(`${route.method} ${path} does not say who may call it`);
    if (route.method === 'POST') {
      // JSON, or a file's bytes (an evidence upload: its media types, each with the binary schema and its example).
      const content = op.requestBody?.content ?? {};
      const schema = content['application/json']?.schema ?? (Object.keys(content).length > 0 && Object.values(content).every((c) => (c.schema as { format?: string }).format === 'binary') ? Object.values(content)[0]!.schema : undefined);
      if (!schema || schema.example === undefined) t.fail(`${route.method} ${path} has no request example`);
      if (!Object.keys(op.responses).some((s) => s.startsWith('2'))) t.fail(`${route.method} ${path} has no success response`);
    }
  }
  t.pass(`${routes.length} routes checked`);
});
