import type { CommandType, Role } from '@gongguan/domain';
import type { EventStore } from '@gongguan/event-store';
import { appError, problemBody, toAppError, type AppError, type HttpApp } from '@gongguan/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { CommandContext, StepResult } from '../commands/execute.js';
import type { AggregateCache } from '../commands/aggregate-cache.js';
import type { Environment } from '../commands/ids.js';
import { requestHash, type IdempotencyStore } from '../idempotency/store.js';
import { callerBureau, type BureauAccess, type ResourceRef } from '../bureaus/access.js';
import { domainErrorTranslator } from './errors.js';
import { EFFECTIVE_DATE_PATTERN, effectiveEnvironment, effectiveInstant } from '../commands/back-record.js';

/** What a command route answers: the steps it wrote, for read-your-writes and ETags. */
export const CommandResult = z
  .object({
    resourceId: z.string().optional().describe('Id of the resource created or changed'),
    stream: z.string().describe('The stream of the resource in the URL'),
    revision: z.int().describe('Its revision after the command: send it as If-Match next time'),
    position: z.string().nullable().describe('Global position of the last event written; pass it as ?minPosition= to the reporting API'),
    events: z.array(z.object({ id: z.string(), type: z.string(), revision: z.int() })),
    steps: z
      .array(z.object({ stream: z.string(), revision: z.int(), position: z.string().nullable(), events: z.array(z.object({ id: z.string(), type: z.string(), revision: z.int() })) }))
      .describe('Every stream written, in order (a workflow writes several)'),
  })
  .meta({
    example: {
      resourceId: 'p-pump-01',
      stream: 'project-p-pump-01',
      revision: 4,
      position: '0000000000000312-0000000000000041',
      events: [{ id: '4b8e0d5c-6f2a-4c1e-9a37-2f1e5d9c8b70', type: 'MilestoneReported', revision: 4 }],
      steps: [],
    },
  });
export type CommandResult = z.infer<typeof CommandResult>;

export interface CommandOutcome {
  primary: StepResult;
  steps?: StepResult[];
  resourceId?: string;
  /** Set when the command created a resource. */
  location?: string;
}

export interface CommandDeps {
  store: EventStore;
  env: Environment;
  idempotency: IdempotencyStore;
  /** Folded aggregate states kept between commands; absent: every command reads its stream. */
  cache?: AggregateCache | undefined;
  /** Who may command what, by bureau (one place for every route). */
  bureaus: BureauAccess;
  /**
   * Every command route registered, by URL template: the import runs the very same definitions
   * (bureau check, body schema, `run`) as the HTTP requests do. Filled by `commandRoute`.
   */
  registry?: CommandRegistry | undefined;
}

export type AnyCommandRouteDef = CommandRouteDef<z.ZodType, z.ZodType>;
export type CommandRegistry = Map<string, AnyCommandRouteDef>;

export interface CommandRouteDef<P extends z.ZodType, B extends z.ZodType> {
  url: string;
  summary: string;
  description?: string;
  tags: string[];
  roles: readonly Role[];
  params: P;
  body: B;
  bodyExample: unknown;
  created?: boolean;
  /**
   * The resources the request names (a programme, a project, a disbursement…): each must be of the
   * caller's bureau, checked before `run` (see bureaus/access.ts). Empty: the route acts on the
   * caller's own bureau by construction (its R3 ledgers) or checks the registry itself (bureau routes);
   * a merged bureau is refused either way.
   */
  resources: (input: { params: z.output<P>; body: z.output<B>; bureau: string }) => ResourceRef[];
  /** The domain command the route issues, for the county's RecommendProject exception. */
  commandType?: CommandType;
  run(ctx: CommandContext, input: { params: z.output<P>; body: z.output<B>; ifMatch: number | undefined }): Promise<CommandOutcome>;
}

const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, 'must be 1-200 visible ASCII characters');
const IfMatch = z.string().regex(/^(W\/)?"?-?\d{1,15}"?$/, 'must be a revision as returned in ETag, e.g. "4"');

export const CommandHeaders = z.object({
  'idempotency-key': IdempotencyKey.optional().describe('Makes the POST safe to retry: the same key and body give the first answer back'),
  'if-match': IfMatch.optional().describe('The revision you decided on (the ETag of the GET); a stale one is 412'),
  'effective-date': z
    .string()
    .regex(EFFECTIVE_DATE_PATTERN, 'must be a date YYYY-MM-DD or an ISO 8601 instant with offset')
    .optional()
    .describe(
      'Back-records the command (补录): the date (Asia/Shanghai) or instant the fact took effect, never in the future. ' +
        "The rules are checked as of that date; each event carries metadata.backRecorded naming who entered it; a stream's effective dates never go backwards (409 EFFECTIVE_DATE_BEFORE_STREAM).",
    ),
});

/** Registers one POST command route: roles, schemas, If-Match, Idempotency-Key, problem+json. */
export function commandRoute<P extends z.ZodType, B extends z.ZodType>(app: HttpApp, deps: CommandDeps, def: CommandRouteDef<P, B>): void {
  deps.registry?.set(def.url, def as unknown as AnyCommandRouteDef);
  const responses = {
    [def.created ? 201 : 200]: CommandResult,
  };
  app.route({
    method: 'POST',
    url: def.url,
    config: { roles: def.roles },
    schema: {
      summary: def.summary,
      ...(def.description ? { description: def.description } : {}),
      tags: def.tags,
      params: def.params,
      body: def.body.meta({ example: def.bodyExample }),
      headers: CommandHeaders,
      response: responses,
    },
    handler: (request: FastifyRequest, reply: FastifyReply) =>
      handleCommand(deps, request, reply, {
        roles: def.roles,
        created: def.created ?? false,
        commandType: def.commandType,
        resources: (bureau) => def.resources({ params: request.params as z.output<P>, body: request.body as z.output<B>, bureau }),
        run: (ctx, ifMatch) => def.run(ctx, { params: request.params as z.output<P>, body: request.body as z.output<B>, ifMatch }),
        hashed: { path: request.url.split('?')[0] ?? request.url, body: request.body },
      }),
  });
}

/** One command request, whatever its body: what {@link handleCommand} needs of the route. */
export interface CommandRequestSpec {
  roles: readonly Role[];
  created: boolean;
  commandType?: CommandType | undefined;
  /** The resources the request names, for the bureau check (before `run`). */
  resources(bureau: string): ResourceRef[];
  run(ctx: CommandContext, ifMatch: number | undefined): Promise<CommandOutcome>;
  /** What an Idempotency-Key's request hash covers: the same key with anything else is refused. */
  hashed: { path: string; body: unknown };
}

/**
 * The part of a command route after validation: the caller's context, the bureau check,
 * If-Match, Idempotency-Key (claim, replay, release), and the answer (result or problem+json).
 * commandRoute uses it for JSON bodies; the evidence upload for a file's bytes.
 */
export async function handleCommand(deps: CommandDeps, request: FastifyRequest, reply: FastifyReply, spec: CommandRequestSpec) {
  const headers = request.headers as z.infer<typeof CommandHeaders>;
  const principal = request.principal!;
  const role = principal.roles.find((r) => spec.roles.includes(r))!;
  const key = headers['idempotency-key'];
  const ifMatchRaw = headers['if-match'];
  const ifMatch = ifMatchRaw === undefined ? undefined : Number(ifMatchRaw.replace(/^W\//, '').replaceAll('"', ''));
  const effectiveHeader = headers['effective-date'];
  // An effective date in the future or malformed is refused before anything else (and before a key is claimed).
  const backRecord =
    effectiveHeader === undefined ? undefined : { effectiveAt: effectiveInstant(effectiveHeader, deps.env.now()), by: principal.subject, role };
  const ctx: CommandContext = {
    store: deps.store,
    env: backRecord ? effectiveEnvironment(deps.env, backRecord.effectiveAt) : deps.env,
    backRecord,
    actor: { id: principal.subject, role },
    correlationId: request.id,
    causationId: key ?? request.id,
    idSeed: key === undefined ? undefined : `${principal.subject}|${key}`,
    cache: deps.cache,
    bureau: callerBureau(principal),
  };
  const run = async (): Promise<{ status: number; body: string; location: string | null; etag: string | null }> => {
    try {
      await deps.bureaus.authorizeCommand(ctx.bureau, spec.commandType, spec.resources(ctx.bureau));
      const outcome = await spec.run(ctx, ifMatch);
      const result = toResult(outcome);
      return {
        status: spec.created ? 201 : 200,
        // Built field by field in toResult, so it is the schema's shape without a runtime parse
        // (test/lifecycle-e2e.test.ts checks every answer of a whole lifecycle against it).
        body: JSON.stringify(result),
        location: outcome.location ?? null,
        etag: `"${result.revision}"`,
      };
    } catch (err) {
      const problem = toAppError(err, [domainErrorTranslator]);
      if (problem.status >= 500) throw err;
      request.log.info({ code: problem.publicCode, status: problem.status }, problem.message);
      return problemResponse(problem, request);
    }
  };

  if (key === undefined) return send(reply, await run(), false);
  // The effective date is part of what was asked: the same key with another date is another request.
  const path = spec.hashed.path;
  const hash = requestHash('POST', effectiveHeader === undefined ? path : `${path}#effective-date=${effectiveHeader}`, spec.hashed.body);
  const claim = await deps.idempotency.claim(principal.subject, key, hash);
  switch (claim.kind) {
    case 'replay':
      return send(reply, { status: claim.response.statusCode, ...claim.response }, true);
    case 'mismatch':
      throw appError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request; use a new key');
    case 'in-progress':
      throw appError('CONCURRENCY_CONFLICT', 'a request with this Idempotency-Key is still in progress', {
        headers: { 'retry-after': String(claim.retryAfterSeconds) },
      });
    case 'new':
    case 'resume': {
      let response;
      try {
        response = await run();
      } catch (err) {
        await deps.idempotency.release(principal.subject, key);
        throw err;
      }
      // A transient conflict is not an answer worth keeping: the client may retry with the same key.
      if (response.status === 409 && JSON.parse(response.body).code === 'CONCURRENCY_CONFLICT') {
        await deps.idempotency.release(principal.subject, key);
      } else {
        await deps.idempotency.complete(principal.subject, key, { statusCode: response.status, ...response });
      }
      return send(reply, response, false);
    }
    default: {
      const never: never = claim;
      throw new Error(`unknown claim ${JSON.stringify(never)}`);
    }
  }
}

const eventRefs = (events: StepResult['events']): CommandResult['events'] => events.map(({ id, type, revision }) => ({ id, type, revision }));

function toResult(outcome: CommandOutcome): CommandResult {
  const steps = (outcome.steps ?? [outcome.primary]).map((s) => ({ stream: s.stream, revision: s.revision, position: s.position, events: eventRefs(s.events) }));
  const positions = steps.map((s) => s.position).filter((p): p is string => p !== null).sort();
  return {
    ...(outcome.resourceId ? { resourceId: outcome.resourceId } : {}),
    stream: outcome.primary.stream,
    revision: outcome.primary.revision,
    position: positions[positions.length - 1] ?? outcome.primary.position,
    events: eventRefs(outcome.primary.events),
    steps,
  };
}

function problemResponse(problem: AppError, request: FastifyRequest) {
  return {
    status: problem.status,
    body: JSON.stringify(problemBody(problem, request)),
    location: null,
    etag: problem.headers.etag ?? null,
    problem: true,
  };
}

function send(
  reply: FastifyReply,
  response: { status: number; body: string; location: string | null; etag: string | null },
  replayed: boolean,
) {
  if (response.location) reply.header('location', response.location);
  if (response.etag) reply.header('etag', response.etag);
  if (replayed) reply.header('idempotent-replayed', 'true');
  const isProblem = response.status >= 400;
  return reply
    .code(response.status)
    .type(isProblem ? 'application/problem+json; charset=utf-8' : 'application/json; charset=utf-8')
    .serializer((payload: unknown) => payload as string)
    .send(response.body);
}
