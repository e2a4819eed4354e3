import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyContextConfig, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions, type RawServerDefault } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import { z } from 'zod';
import { appError } from '../errors.js';
import { cachedBearerVerifier } from '../auth/verify.js';
import { registerDocs } from './docs.js';
import { registerMetrics } from './metrics.js';
import { registerReadiness } from './readiness.js';
import { registerRateLimit, type RateLimits } from './rate-limit.js';
import { registerSlowBodyTimeout } from './slow-body.js';
import { sendProblem, toAppError, type ErrorTranslator } from './problem.js';
import { allowedMethods, compilePattern, type RouteEntry } from './routes-table.js';
import type { ReadinessCheck } from './types.js';
import './types.js';

export interface HttpAppOptions {
  logger: Logger;
  bodyLimit?: number;
  auth: {
    keys: JWTVerifyGetKey;
    issuer?: string | undefined;
    audience?: string | undefined;
    maxLifetimeSeconds?: number | undefined;
    clockToleranceSeconds?: number | undefined;
    /** The bureau of a token without a `bureau` claim; null refuses such tokens (see VerifyOptions). */
    defaultBureau?: string | null | undefined;
  };
  title: string;
  version?: string;
  description?: string;
  /** Translators for error kinds the platform does not know (e.g. domain errors). */
  errorTranslators?: ErrorTranslator[];
  /** Milliseconds a slow client may take to send its whole request. */
  requestTimeoutMs?: number;
  /**
   * Proxies whose `X-Forwarded-For` names the client (addresses or CIDRs, comma-separated), so
   * rate limits by address see clients rather than the proxy. Unset: the connection's address.
   */
  trustProxy?: string | undefined;
  rateLimits?: RateLimits;
}

export type HttpApp = FastifyInstance<RawServerDefault, IncomingMessage, ServerResponse, FastifyBaseLogger, ZodTypeProvider>;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * zod validation, except that Fastify hands a missing body to the validator as `null`: where the
 * body's schema accepts no body (`.optional()`), a missing one (or a JSON `null`) is validated as
 * `undefined`, so `POST` without a body reaches such a route; elsewhere it stays a 400.
 */
const noBodyAsUndefined: typeof validatorCompiler = (route) => {
  const validate = validatorCompiler(route);
  if (route.httpPart !== 'body' || !z.safeParse(route.schema, undefined).success) return validate;
  return (data) => validate(data === null ? undefined : data);
};

/**
 * One log line per request, when it is answered (method, URL, status, time), instead of Fastify's
 * two (an "incoming request" line at every request was a tenth of the server's CPU per command;
 * scripts/bench/NOTES.md). Fastify's other lines (errors, 404s, broken streams) stay.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = { method: request.method, url: request.url, statusCode: reply.statusCode, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}

/**
 * The Fastify instance every service is mounted on: zod-driven validation, serialisation and
 * OpenAPI; problem+json for every error; request ids; bearer-token roles per route; health,
 * readiness and metrics.
 */
export async function createHttpApp(options: HttpAppOptions): Promise<HttpApp> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 1_048_576,
    requestTimeout: options.requestTimeoutMs ?? 30_000,
    requestIdHeader: false,
    logController: new OneLinePerRequest(),
    // zod validates and serialises every route (set below for the root, so for every plugin too):
    // given as the compilers' factories, Fastify does not load Ajv and fast-json-stringify's
    // compilers for nothing (~55 ms of every start, a CPU profile of `pnpm start`).
    // (Fastify's types expect Ajv's compilers; at run time a factory returns a route's compiler.)
    schemaController: { compilersFactory: { buildValidator: () => noBodyAsUndefined, buildSerializer: () => serializerCompiler } } as unknown as FastifyServerOptions['schemaController'],
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 200 },
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
  }).withTypeProvider<ZodTypeProvider>() as unknown as HttpApp;
  app.setValidatorCompiler(noBodyAsUndefined);
  app.setSerializerCompiler(serializerCompiler);
  // Every API takes JSON only: anything else is a 415, not a string for the schema to reject.
  app.removeContentTypeParser('text/plain');
  // A JSON request of no bytes is a request without a body (clients send the header regardless);
  // the route's schema then decides whether it needs one. Anything else parses as Fastify would.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    json(request, typeof body === 'string' ? body : body.toString('utf8'), done);
  });

  const routesTable: RouteEntry[] = [];
  const readiness = new Map<string, ReadinessCheck>();
  const translators = options.errorTranslators ?? [];
  const verify = cachedBearerVerifier(options.auth);

  app.decorateRequest('principal', undefined);
  app.decorate('addReadinessCheck', (name: string, check: ReadinessCheck) => {
    readiness.set(name, check);
  });
  app.decorate('routesTable', routesTable);

  app.addHook('onRoute', (route) => {
    const config: FastifyContextConfig = route.config ?? {};
    const isDocs = route.url.startsWith('/docs');
    if (isDocs || route.url === '*') route.config = { ...config, public: true };
    else if (!config.public && (!config.roles || config.roles.length === 0)) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no roles and is not public`);
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD') continue;
      routesTable.push({
        method,
        url: route.url,
        roles: config.public || isDocs ? 'public' : (config.roles ?? []),
        pattern: compilePattern(route.url),
      });
    }
    if (!config.public && config.roles && route.schema) {
      const schema = route.schema as Record<string, unknown>;
      schema.security = [{ bearerAuth: [] }];
      const rolesLine = `Roles: ${config.roles.join(', ')}.`;
      schema.description = schema.description ? `${String(schema.description)}\n\n${rolesLine}` : rolesLine;
    }
  });

  const limiter = registerRateLimit(app, options.rateLimits ?? { commandsPerMinute: 0, readsPerMinute: 0 });
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    // Unmatched URLs carry no roles; they get their 404/405 from the not-found handler.
    if (request.routeOptions.url === undefined || config.public) return;
    // A token verified before passes on; any other is limited by address before it is checked, so
    // a flood of bad tokens is refused without a signature check each, while clients whose tokens
    // are known keep working even when they share that address (a proxy without TRUST_PROXY).
    let principal = verify.known(request.headers.authorization);
    if (principal === undefined) {
      limiter.beforeAuth(request);
      try {
        principal = await verify(request.headers.authorization);
      } catch (err) {
        limiter.authFailed(request);
        throw err;
      }
    }
    limiter.authenticated(request, principal.subject);
    request.principal = principal;
    const allowed = config.roles ?? [];
    if (!principal.roles.some((r) => allowed.includes(r))) {
      throw appError('FORBIDDEN', `this action needs one of the roles: ${allowed.join(', ')}`, {
        extra: { requiredRoles: allowed },
      });
    }
  });

  // While closing, tell keep-alive clients to hang up after this response; otherwise close would
  // wait out their keep-alive timeout once the in-flight request finishes.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (closing) reply.header('connection', 'close');
  });

  app.setErrorHandler((err, request, reply) => {
    const problem = toAppError(err, translators);
    if (problem.status >= 500) request.log.error({ err }, 'request failed');
    else request.log.info({ code: problem.code, status: problem.status }, problem.message);
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allow = allowedMethods(routesTable, path);
    if (allow.length > 0) {
      reply.header('allow', allow.join(', '));
      return sendProblem(reply, appError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}; use ${allow.join(', ')}`));
    }
    return sendProblem(reply, appError('ROUTE_NOT_FOUND', `there is no route ${request.method} ${path}`));
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: options.title, version: options.version ?? '0.1.0', description: options.description ?? '' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  registerDocs(app);

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  registerReadiness(app, readiness);
  registerMetrics(app);
  registerSlowBodyTimeout(app, options.requestTimeoutMs ?? 30_000);

  return app;
}
