import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { appError } from '../errors.js';

/**
 * The API documentation at /docs: Swagger UI (the swagger-ui-dist package, its files as published)
 * reading /openapi.json. Served by these few routes rather than @fastify/swagger-ui, which loads
 * @fastify/static, glob, send and yaml and lists its assets when it is registered: about 50 ms
 * of every start on the machine of BENCHMARKS.md, for a page few requests ever ask for. Nothing
 * here runs before the first request to /docs.
 *
 * - GET /docs (and /docs/: trailing slashes are ignored) and /docs/static/index.html: the page
 *   (the last is where @fastify/swagger-ui put it; reverse proxies route /docs/* as before).
 * - GET /docs/static/<file>: the stylesheet, scripts and icons, from an allow-list (no path from
 *   the request reaches the file system), cached by browsers for an hour.
 * - GET /docs/static/gongguan-init.js: starts Swagger UI on /openapi.json; a file, not an inline
 *   script, so a Content-Security-Policy without 'unsafe-inline' would allow it.
 */
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'index.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
  'favicon-16x16.png': 'image/png',
  'favicon-32x32.png': 'image/png',
};

const PAGE = `<!doctype html>
<html lang="zh-CN">
  <head>
    <meta charset="utf-8">
    <title>攻关 Gongguan · API 文档 (API docs)</title>
    <link rel="stylesheet" href="/docs/static/swagger-ui.css">
    <link rel="stylesheet" href="/docs/static/index.css">
    <link rel="icon" type="image/png" href="/docs/static/favicon-32x32.png" sizes="32x32">
    <link rel="icon" type="image/png" href="/docs/static/favicon-16x16.png" sizes="16x16">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="/docs/static/swagger-ui-bundle.js" charset="utf-8"></script>
    <script src="/docs/static/swagger-ui-standalone-preset.js" charset="utf-8"></script>
    <script src="/docs/static/gongguan-init.js" charset="utf-8"></script>
  </body>
</html>
`;

const INIT = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: 'StandaloneLayout',
    validatorUrl: null,
  });
};
`;

let distDir: string | undefined;
/** swagger-ui-dist's directory, resolved on the first asset asked for. */
function swaggerUiDist(): string {
  distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return distDir;
}

export function registerDocs(app: FastifyInstance): void {
  const page = { config: { public: true }, schema: { hide: true } } as const;
  for (const url of ['/docs', '/docs/static/index.html']) {
    app.get(url, page, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(PAGE));
  }
  app.get('/docs/static/gongguan-init.js', page, async (_request, reply) => reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').send(INIT));
  app.get<{ Params: { file: string } }>('/docs/static/:file', page, async (request, reply) => {
    const type = Object.hasOwn(ASSETS, request.params.file) ? ASSETS[request.params.file] : undefined;
    if (type === undefined) throw appError('ROUTE_NOT_FOUND', `there is no file ${request.params.file} in the API docs`);
    return reply.type(type).header('cache-control', 'public, max-age=3600').send(createReadStream(join(swaggerUiDist(), request.params.file)));
  });
}
