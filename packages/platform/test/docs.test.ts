import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import t from 'tap';
import { makeKeys, testApp } from './helpers.js';

// The API docs page and its files, without @fastify/swagger-ui: served from swagger-ui-dist.
t.test('/docs serves Swagger UI on /openapi.json, its files from swagger-ui-dist, and nothing else', async (t) => {
  const { app } = await testApp([await makeKeys('k1')]);
  t.teardown(() => app.close());
  const dist = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

  for (const url of ['/docs', '/docs/', '/docs/static/index.html']) {
    const page = await app.inject({ method: 'GET', url });
    t.equal(page.statusCode, 200, `${url} answers without a token`);
    t.match(page.headers['content-type'], /^text\/html/, `${url} is HTML`);
    const scripts = [...page.body.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    t.same(scripts, ['/docs/static/swagger-ui-bundle.js', '/docs/static/swagger-ui-standalone-preset.js', '/docs/static/gongguan-init.js'], 'the page loads Swagger UI, then starts it');
    t.notMatch(page.body, /<script>/, 'no inline script');
  }

  const init = await app.inject({ method: 'GET', url: '/docs/static/gongguan-init.js' });
  t.equal(init.statusCode, 200);
  t.match(init.body, /url: '\/openapi\.json'/, 'Swagger UI reads the served OpenAPI document');
  t.equal((await app.inject({ method: 'GET', url: '/openapi.json' })).statusCode, 200, 'which is there');

  for (const [file, type] of [
    ['swagger-ui-bundle.js', /^text\/javascript/],
    ['swagger-ui.css', /^text\/css/],
    ['favicon-32x32.png', /^image\/png/],
  ] as const) {
    const res = await app.inject({ method: 'GET', url: `/docs/static/${file}` });
    t.equal(res.statusCode, 200, file);
    t.match(res.headers['content-type'], type, `${file}: its type`);
    t.ok(res.rawPayload.equals(readFileSync(join(dist, file))), `${file}: the bytes swagger-ui-dist published`);
  }

  for (const url of ['/docs/static/package.json', '/docs/static/..%2Fpackage.json', '/docs/static/%2e%2e%2f%2e%2e%2fpackage.json', '/docs/static/x.js']) {
    const res = await app.inject({ method: 'GET', url });
    t.equal(res.statusCode, 404, `${url}: not found`);
    t.match(res.headers['content-type'], /^application\/problem\+json/, `${url}: as a problem`);
    t.equal(JSON.parse(res.body).code, 'ROUTE_NOT_FOUND');
  }
});
