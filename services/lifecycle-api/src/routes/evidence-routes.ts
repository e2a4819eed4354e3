import { commandDataSchemas, disbursement, EvidenceTarget, FileName, Id, project, type EvidenceRecord, type Role } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import type { FastifyReply, FastifyRequest, FastifySchemaCompiler } from 'fastify';
import { z } from 'zod';
import { aggregates } from '../commands/aggregates.js';
import { execute } from '../commands/execute.js';
import { loadAggregate } from '../commands/load.js';
import { callerBureau, notFoundOf, type ResourceRef } from '../bureaus/access.js';
import { evidenceBlobStore, sha256Hex, type EvidenceBlobStore } from '../evidence/blob-store.js';
import { mediaTypeOf, PDF, sniff } from '../evidence/sniff.js';
import { CommandHeaders, CommandResult, handleCommand, type CommandDeps } from './command-route.js';
import type { SqlExecutor } from '@gongguan/platform/db';

/** Who reads evidence: whoever reads the project or the disbursement, but the expert reviewer (no money, no files). */
export const evidenceReaders: Role[] = ['officer', 'approver', 'finance', 'auditor'];

export interface EvidenceLimits {
  /** EVIDENCE_MAX_BYTES. */
  maxBytes: number;
  /** EVIDENCE_TYPES: media types, each recognised from the bytes (evidence/sniff.ts). */
  types: readonly string[];
}

/** Where evidence hangs: a project (four kinds of target) or a disbursement (its own stream). */
interface Holder {
  base: string;
  param: 'projectId' | 'disbursementId';
  tag: string;
  what: string;
  roles: Role[];
  stream(id: string): string;
  resource(id: string, stream: string): ResourceRef;
  /** The command data's target fields, from the query; an AppError when they do not name one. */
  target(id: string, query: UploadQuery): Record<string, unknown>;
  upload(ctx: Parameters<typeof execute>[0], id: string, data: Record<string, unknown>, ifMatch: number | undefined, dryRun: boolean): ReturnType<typeof execute>;
  evidenceOf(state: unknown): Readonly<Record<string, EvidenceRecord>>;
}

const UploadQuery = z.strictObject({
  name: z.string().max(1000).optional().describe("The file's name (UTF-8, e.g. 验收报告.pdf); else the Content-Disposition header's filename* or filename"),
  attachTo: EvidenceTarget.shape.kind.optional().describe('What the file is evidence of (projects only): the project (default), a milestone, a bank payment or the acceptance'),
  targetId: Id.optional().describe('The milestone id or payment id (attachTo=milestone or payment)'),
  evidenceId: Id.optional().describe('The id to record the file under; the server makes one when absent'),
});
type UploadQuery = z.infer<typeof UploadQuery>;

const missing = (stream: string) => () => appError('NOT_FOUND', `${stream} does not exist`);

const holders: Holder[] = [
  {
    base: '/v1/projects/:projectId',
    param: 'projectId',
    tag: 'evidence',
    what: 'the project, one of its milestones (attachTo=milestone&targetId=…), one of its bank payments (attachTo=payment&targetId=…) or its acceptance (attachTo=acceptance)',
    roles: ['officer', 'finance'],
    stream: (id) => project.streamName(id),
    resource: (id, stream) => ({ kind: 'project', id, notFound: missing(stream) }),
    target(id, query) {
      const kind = query.attachTo ?? 'project';
      if (kind === 'milestone' || kind === 'payment') {
        if (query.targetId === undefined) throw appError('VALIDATION_FAILED', `attachTo=${kind} 需要 targetId (name the ${kind} with targetId)`, { extra: { errors: [{ path: 'querystring.targetId', message: 'is required' }] } });
        return { attachedTo: { kind, id: query.targetId } };
      }
      if (query.targetId !== undefined && query.targetId !== id) throw appError('VALIDATION_FAILED', `attachTo=${kind} 不需要 targetId (the ${kind} is the project's own)`, { extra: { errors: [{ path: 'querystring.targetId', message: 'must be absent' }] } });
      return { attachedTo: { kind, id } };
    },
    upload: (ctx, id, data, ifMatch, dryRun) => execute(ctx, { aggregate: aggregates.project as never, stream: project.streamName(id), type: 'AttachEvidence', data, step: 'AttachEvidence', ifMatch, dryRun }),
    evidenceOf: (state) => (state as { evidence: Readonly<Record<string, EvidenceRecord>> }).evidence,
  },
  {
    base: '/v1/disbursements/:disbursementId',
    param: 'disbursementId',
    tag: 'evidence',
    what: 'the disbursement (a bank slip, an invoice, a signed approval)',
    roles: ['finance'],
    stream: (id) => disbursement.streamName(id),
    resource: (id, stream) => ({ kind: 'disbursement', id, notFound: missing(stream) }),
    target(_id, query) {
      if (query.attachTo !== undefined || query.targetId !== undefined) {
        throw appError('VALIDATION_FAILED', '拨付的证明文件只附于拨付本身 (a disbursement\'s evidence is attached to the disbursement itself: no attachTo or targetId)', { extra: { errors: [{ path: 'querystring.attachTo', message: 'must be absent' }] } });
      }
      return {};
    },
    upload: (ctx, id, data, ifMatch, dryRun) => execute(ctx, { aggregate: aggregates.disbursement as never, stream: disbursement.streamName(id), type: 'AttachDisbursementEvidence', data, step: 'AttachDisbursementEvidence', ifMatch, dryRun }),
    evidenceOf: (state) => (state as { evidence: Readonly<Record<string, EvidenceRecord>> }).evidence,
  },
];

/** `filename*` (RFC 5987/8187, UTF-8) or else `filename` of a Content-Disposition header. */
export function filenameOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const extended = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      return undefined;
    }
  }
  const plain = /filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/.exec(header);
  return plain ? (plain[1]?.replace(/\\(.)/g, '$1') ?? plain[2]) : undefined;
}

/** RFC 6266 `attachment` with an ASCII fallback name and the exact UTF-8 name as `filename*` (RFC 8187). */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const EvidenceEntry = z.object({
  evidenceId: z.string(),
  attachedTo: z.object({ kind: z.enum(['project', 'milestone', 'payment', 'acceptance', 'disbursement']), id: z.string() }),
  sha256: z.string().describe('Lower-case hex SHA-256 of the bytes; the ETag of the download'),
  name: z.string(),
  size: z.int().describe('Bytes'),
  mediaType: z.string(),
  by: z.string().describe('Who attached it'),
  at: z.string().describe('When it was recorded'),
});
const EvidenceList = z
  .object({ stream: z.string(), revision: z.int(), evidence: z.array(EvidenceEntry) })
  .meta({
    example: {
      stream: 'project-p-pump-01',
      revision: 9,
      evidence: [{ evidenceId: 'ev-1', attachedTo: { kind: 'milestone', id: 'm1' }, sha256: 'a'.repeat(64), name: '水泵测试报告.pdf', size: 48213, mediaType: PDF, by: 'officer-li', at: '2019-01-25T02:00:00.000Z' }],
    },
  });

/** Validates params, query and headers with the app's (zod) compiler; the body is the file's bytes, taken as they are. */
function bytesBodyCompiler(parent: FastifySchemaCompiler<unknown> | undefined): FastifySchemaCompiler<unknown> {
  return (route) => {
    if (route.httpPart === 'body') return (data: unknown) => ({ value: data });
    if (parent === undefined) throw new Error('no validator compiler to delegate to');
    return parent(route);
  };
}

/**
 * Evidence files (issue 19): upload, list and download, for projects and disbursements. The upload
 * is a command like any other (roles, bureau, If-Match, Idempotency-Key, problem+json); its body is
 * the file itself, limited to EVIDENCE_MAX_BYTES on this route only, its type checked on the bytes.
 */
export function registerEvidenceRoutes(app: HttpApp, deps: CommandDeps, sql: SqlExecutor, limits: EvidenceLimits): void {
  const blobs = evidenceBlobStore(sql);
  const parentCompiler = (app as unknown as { validatorCompiler?: FastifySchemaCompiler<unknown> }).validatorCompiler;
  void app.register(async (scope) => {
    // Any body is the file's bytes, for these routes only; the rest of the API takes JSON alone.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const holder of holders) {
      registerUpload(scope as unknown as HttpApp, deps, blobs, limits, holder, bytesBodyCompiler(parentCompiler));
      registerReads(scope as unknown as HttpApp, deps, blobs, holder);
    }
  });
}

function registerUpload(app: HttpApp, deps: CommandDeps, blobs: EvidenceBlobStore, limits: EvidenceLimits, holder: Holder, validatorCompiler: FastifySchemaCompiler<unknown>): void {
  const Params = z.strictObject({ [holder.param]: Id });
  const commandType = holder.param === 'projectId' ? 'AttachEvidence' : 'AttachDisbursementEvidence';
  app.route({
    method: 'POST',
    url: `${holder.base}/evidence`,
    bodyLimit: limits.maxBytes,
    config: { roles: holder.roles },
    validatorCompiler,
    schema: {
      summary: `Upload an evidence file of ${holder.what}`,
      description:
        `The body is the file itself (not JSON), with its type as Content-Type: one of ${limits.types.join(', ')}, ` +
        `checked on the bytes (415 when they are not that type), at most ${limits.maxBytes} bytes (413). ` +
        "The name comes from ?name= or the Content-Disposition header's filename* (RFC 8187) or filename. " +
        'The bytes are stored once under their SHA-256; the event records the hash, name, size and type, so the hash chain seals the file. ' +
        'Officers attach evidence of projects, milestones and acceptance; officers or finance of bank payments; finance of disbursements.',
      tags: [holder.tag],
      params: Params,
      querystring: UploadQuery,
      headers: CommandHeaders.extend({
        'content-type': z.string().max(200).optional().describe("The file's media type, e.g. application/pdf"),
        'content-disposition': z.string().max(2000).optional().describe("attachment; filename*=UTF-8''%E9%AA%8C%E6%94%B6%E6%8A%A5%E5%91%8A.pdf"),
      }),
      consumes: limits.types,
      body: z.string().meta({ format: 'binary', description: "The file's bytes", example: '%PDF-1.7 …' }),
      response: { 201: CommandResult },
    },
    handler: async (request: FastifyRequest, reply: FastifyReply) => {
      const id = (request.params as Record<string, string>)[holder.param]!;
      const query = request.query as UploadQuery;
      const bytes = Buffer.isBuffer(request.body) ? request.body : undefined;
      const digest = bytes ? sha256Hex(bytes) : null;
      const stream = holder.stream(id);
      return handleCommand(deps, request, reply, {
        roles: holder.roles,
        created: true,
        commandType,
        // A command's resource answers as the domain does for an id that does not exist.
        resources: () => [{ kind: holder.param === 'projectId' ? 'project' : 'disbursement', id }],
        hashed: { path: request.url, body: { sha256: digest, type: request.headers['content-type'] ?? null, disposition: request.headers['content-disposition'] ?? null } },
        async run(ctx, ifMatch) {
          // Whether the resource exists is answered before anything about the file, as for a caller
          // outside its bureau: the answers for a missing id and for someone else's are the same.
          const loaded = await loadAggregate(deps.store, aggregates[holder.param === 'projectId' ? 'project' : 'disbursement'] as never, stream, { cache: deps.cache });
          if (loaded.revision === 'no_stream') throw notFoundOf({ kind: holder.param === 'projectId' ? 'project' : 'disbursement', id });
          const file = checkFile(bytes, request, limits);
          const name = query.name ?? filenameOf(request.headers['content-disposition']);
          if (name === undefined) {
            throw appError('VALIDATION_FAILED', '请给出文件名：?name= 或 Content-Disposition 的 filename (name the file: ?name= or a Content-Disposition filename)', { extra: { errors: [{ path: 'querystring.name', message: 'is required' }] } });
          }
          const parsedName = FileName.safeParse(name);
          if (!parsedName.success) {
            throw appError('VALIDATION_FAILED', `文件名无效 (the file name is not valid): ${parsedName.error.issues.map((i) => i.message).join('; ')}`, {
              extra: { errors: parsedName.error.issues.map((i) => ({ path: 'querystring.name', message: i.message })) },
            });
          }
          const data = {
            evidenceId: query.evidenceId ?? ctx.env.newId(),
            ...holder.target(id, query),
            sha256: digest ?? sha256Hex(file.bytes),
            name: parsedName.data,
            size: file.bytes.length,
            mediaType: file.mediaType,
          };
          // Everything the command says is checked before a byte is stored: a refusal stores nothing.
          const valid = commandDataSchemas[commandType].safeParse(data);
          if (!valid.success) throw appError('VALIDATION_FAILED', valid.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
          // Decided once without appending, so that a refusal of the domain (no such milestone, a stale
          // If-Match, the wrong role) stores nothing either; then the blob, then the event: an event
          // never names bytes that are not stored. (A blob whose append then fails is harmless: the
          // same bytes are stored once, whoever names them later.)
          await holder.upload(ctx, id, data, ifMatch, true);
          await blobs.put(file.bytes, file.mediaType);
          const primary = await holder.upload(ctx, id, data, ifMatch, false);
          return { primary, resourceId: data.evidenceId, location: `${holder.base.replace(`:${holder.param}`, encodeURIComponent(id))}/evidence/${encodeURIComponent(data.evidenceId)}` };
        },
      });
    },
  });
}

/** The file's bytes and declared type, or the refusal: 400 none, 413 too large, 415 a type not allowed or not what the bytes are. */
function checkFile(bytes: Buffer | undefined, request: FastifyRequest, limits: EvidenceLimits): { bytes: Buffer; mediaType: string } {
  if (bytes === undefined || bytes.length === 0) {
    throw appError('VALIDATION_FAILED', '文件为空 (the body is empty: send the file\'s bytes)', { extra: { errors: [{ path: 'body', message: 'is empty' }] } });
  }
  if (bytes.length > limits.maxBytes) {
    throw appError('PAYLOAD_TOO_LARGE', `文件超过 ${limits.maxBytes} 字节 (the file is larger than ${limits.maxBytes} bytes)`, { extra: { maxBytes: limits.maxBytes } });
  }
  const declared = mediaTypeOf(request.headers['content-type']);
  if (!limits.types.includes(declared)) {
    throw appError('UNSUPPORTED_MEDIA_TYPE', `不接受 ${declared || '未声明'} 类型的文件 (evidence may be ${limits.types.join(', ')}; the Content-Type is ${declared || 'missing'})`, {
      extra: { allowed: limits.types, declared },
    });
  }
  const found = sniff(bytes);
  if (!found.includes(declared)) {
    throw appError('UNSUPPORTED_MEDIA_TYPE', `文件内容不是 ${declared} (the bytes are not ${declared}${found.length > 0 ? `: they are ${found.join(' or ')}` : ''})`, {
      extra: { allowed: limits.types, declared, detected: found },
    });
  }
  return { bytes, mediaType: declared };
}

function registerReads(app: HttpApp, deps: CommandDeps, blobs: EvidenceBlobStore, holder: Holder): void {
  const Params = z.strictObject({ [holder.param]: Id });
  const load = async (request: FastifyRequest, id: string) => {
    const stream = holder.stream(id);
    await deps.bureaus.authorizeRead(callerBureau(request.principal!), holder.resource(id, stream));
    const loaded = await loadAggregate(deps.store, aggregates[holder.param === 'projectId' ? 'project' : 'disbursement'] as never, stream, { cache: deps.cache });
    if (loaded.revision === 'no_stream') throw missing(stream)();
    return { stream, revision: loaded.revision, evidence: holder.evidenceOf(loaded.state) };
  };

  app.get(
    `${holder.base}/evidence`,
    { config: { roles: evidenceReaders }, schema: { summary: `The evidence files of ${holder.param === 'projectId' ? 'a project' : 'a disbursement'}, in the order attached`, tags: [holder.tag], params: Params, response: { 200: EvidenceList } } },
    async (request) => {
      const { stream, revision, evidence } = await load(request, (request.params as Record<string, string>)[holder.param]!);
      return { stream, revision, evidence: Object.entries(evidence).map(([evidenceId, e]) => ({ evidenceId, ...e })) };
    },
  );

  app.get(
    `${holder.base}/evidence/:evidenceId`,
    {
      config: { roles: evidenceReaders },
      schema: {
        summary: `Download an evidence file of ${holder.param === 'projectId' ? 'a project' : 'a disbursement'}: its bytes as recorded`,
        description: 'Content-Type as recorded, Content-Disposition with the original name (RFC 6266, UTF-8 as filename*), ETag the SHA-256 (If-None-Match: 304), X-Content-Type-Options: nosniff. The bytes are hashed again before they are sent: a stored file that no longer matches its event is a 500, never served.',
        tags: [holder.tag],
        params: Params.extend({ evidenceId: Id }),
        response: {
          200: { description: "The file's bytes", content: { 'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) } } },
          304: z.null().describe('Not modified: If-None-Match equals the ETag (the SHA-256)'),
        },
      },
    },
    async (request, reply) => {
      const params = request.params as Record<string, string>;
      const { stream, evidence } = await load(request, params[holder.param]!);
      const evidenceId = params.evidenceId!;
      const record = Object.hasOwn(evidence, evidenceId) ? evidence[evidenceId] : undefined;
      if (record === undefined) throw appError('NOT_FOUND', `${stream} has no evidence ${evidenceId}`);
      const etag = `"${record.sha256}"`;
      reply.header('etag', etag).header('x-content-type-options', 'nosniff').header('cache-control', 'private, no-cache');
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      const blob = await blobs.get(record.sha256);
      if (blob === undefined || sha256Hex(blob.bytes) !== record.sha256 || blob.bytes.length !== record.size) {
        request.log.error({ stream, evidenceId, sha256: record.sha256, stored: blob === undefined ? 'missing' : 'altered' }, 'an evidence file does not match its event');
        throw appError('INTERNAL', `the stored bytes of evidence ${evidenceId} do not match what ${stream} recorded`);
      }
      return reply
        .header('content-type', record.mediaType)
        .header('content-disposition', contentDisposition(record.name))
        .header('content-security-policy', "default-src 'none'; sandbox")
        // A Buffer is sent as it is (no serialiser runs); the type provider only knows the schema's string.
        .send(blob.bytes as unknown as string);
    },
  );
}
