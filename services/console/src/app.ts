import { BUREAU_CODE, ensureDevKeys, LEGACY_BUREAU_CODE, readPrivateJwk, Role, signToken, type ServiceMount } from '@gongguan/platform';
import { z } from 'zod';
import { defaultDistDir, ensureBuilt, isBuilt } from './build.js';
import type { Config } from './config.js';
import { demoIdentities } from './demo-identities.js';
import { staticFiles } from './static.js';

const DEV_TOKEN_TTL_SECONDS = 12 * 3600;

const DevSignIn = z.strictObject({
  subject: z.string().regex(/^[a-z0-9._@+:-]{1,200}$/, 'lower-case ASCII letters, digits and . _ @ + : -'),
  roles: z.array(Role).min(1).max(7),
  bureau: z.string().regex(BUREAU_CODE, 'a GB/T 2260 code of six digits').default(LEGACY_BUREAU_CODE),
});

/** A small page shown while the console is being built or when its build failed (Chinese first). */
function statusPage(title: string, detail: string, refresh: boolean): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>攻关 Gongguan</title>${refresh ? '<meta http-equiv="refresh" content="3">' : ''}<meta name="viewport" content="width=device-width,initial-scale=1"></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto;padding:0 1em"><h1>${title}</h1><p>${detail}</p><p><a href="/docs">API 文档 (API docs)</a></p></body></html>`;
}

/**
 * The web console at `/`: its built assets, its settings for the page (`/console/config.json`) and,
 * in development only, a sign-in that signs a token with the embedded default's development key.
 */
export const consoleService: ServiceMount<Config> = {
  name: 'console',
  async mount(app, deps) {
    const { config, logger } = deps;
    const distDir = config.CONSOLE_DIST_DIR ?? defaultDistDir;
    const files = staticFiles(() => distDir);
    let building: Promise<void> | undefined;
    let buildError: string | undefined;
    if (!isBuilt(distDir) && config.CONSOLE_BUILD === 'auto') {
      building = ensureBuilt({ distDir, logger }).then(
        () => {
          building = undefined;
        },
        (err: unknown) => {
          building = undefined;
          buildError = err instanceof Error ? err.message : String(err);
          logger.error({ component: 'console', err }, 'the console could not be built; the API still answers');
        },
      );
    }
    app.addHook('onClose', async () => {
      await building?.catch(() => undefined);
    });

    // Development sign-in: only in development, and only where tokens are verified against the
    // development key (no JWKS configured); it signs exactly what `pnpm token` would.
    const devSignIn = config.GONGGUAN_ENV === 'development' && !config.JWKS_FILE && !config.JWKS_URL;
    const oidc =
      config.OIDC_ISSUER && config.OIDC_CLIENT_ID
        ? { issuer: config.OIDC_ISSUER, clientId: config.OIDC_CLIENT_ID, scope: config.OIDC_SCOPE ?? 'openid profile', resource: config.OIDC_RESOURCE ?? null }
        : null;

    // The page talks to the issuer only with fetch (discovery, the token endpoint); it goes there
    // for the sign-in and the sign-out by navigating, which CSP does not govern, and posts no form.
    const connect = ["'self'", ...(oidc ? [new URL(oidc.issuer).origin] : [])].join(' ');
    const csp = `default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src ${connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'`;

    const page = (request: Parameters<typeof files.send>[0], reply: Parameters<typeof files.send>[1]) => {
      reply.header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      if (files.exists('index.html') && isBuilt(distDir)) return files.send(request, reply, 'index.html', 'no-cache');
      if (buildError) return reply.code(500).type('text/html; charset=utf-8').send(statusPage('控制台构建失败 (the console could not be built)', '服务器日志中有详细原因；API 照常可用。 See the server log; the API still answers.', false));
      if (building) return reply.code(503).header('retry-after', '3').type('text/html; charset=utf-8').send(statusPage('控制台正在构建… (building the console)', '首次启动时需要约一分钟，页面会自动刷新。 The first start takes about a minute; this page refreshes itself.', true));
      return reply.code(503).type('text/html; charset=utf-8').send(statusPage('控制台尚未构建 (the console is not built)', '请运行 pnpm --filter @gongguan/console build。 Run pnpm --filter @gongguan/console build.', false));
    };

    app.get('/', { config: { public: true }, schema: { hide: true } }, async (request, reply) => page(request, reply));
    app.get('/index.html', { config: { public: true }, schema: { hide: true } }, async (request, reply) => page(request, reply));
    app.get<{ Params: { '*': string } }>('/assets/*', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      const sent = files.send(request, reply, `assets/${request.params['*']}`, 'public, max-age=31536000, immutable');
      if (sent) return sent;
      return reply.code(404).type('text/plain; charset=utf-8').send('not found');
    });
    app.get('/favicon.svg', { config: { public: true }, schema: { hide: true } }, async (request, reply) => files.send(request, reply, 'favicon.svg', 'public, max-age=86400') ?? reply.code(404).send());

    app.get('/console/config.json', { config: { public: true }, schema: { hide: true } }, async (_request, reply) => {
      reply.header('cache-control', 'no-store');
      return { env: config.GONGGUAN_ENV, devSignIn, demoIdentities: devSignIn ? demoIdentities : [], oidc };
    });

    app.post('/console/dev-sign-in', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      if (!devSignIn) {
        return reply.code(404).type('application/problem+json').send({ type: 'about:blank', title: 'Not Found', status: 404, code: 'DEV_SIGN_IN_DISABLED', detail: 'development sign-in exists only with GONGGUAN_ENV=development and the development key' });
      }
      const parsed = DevSignIn.safeParse(request.body);
      if (!parsed.success) {
        return reply.code(400).type('application/problem+json').send({ type: 'about:blank', title: 'Bad Request', status: 400, code: 'VALIDATION_FAILED', detail: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ') });
      }
      const keys = await ensureDevKeys(config.DATA_DIR);
      const token = await signToken(readPrivateJwk(keys.privateJwk), {
        subject: parsed.data.subject,
        roles: parsed.data.roles,
        bureau: parsed.data.bureau,
        ttlSeconds: DEV_TOKEN_TTL_SECONDS,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
      });
      logger.info({ component: 'console', subject: parsed.data.subject, roles: parsed.data.roles }, 'development sign-in');
      return { token, expiresAt: Math.floor(Date.now() / 1000) + DEV_TOKEN_TTL_SECONDS };
    });
  },
};
