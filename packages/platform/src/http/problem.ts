import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppError} from '../errors.js';
import { appError, isAppError, type FieldError } from '../errors.js';
import { isStorageUnreachable } from '../db/unreachable.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json; charset=utf-8';

/** RFC 9457 problem document as every Gongguan service sends it. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    code: z.string(),
    requestId: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .loose()
  .meta({ description: 'RFC 9457 problem details with a stable `code`' });

export type Problem = z.infer<typeof ProblemSchema>;

export function problemType(code: string): string {
  return `urn:gongguan:problem:${code.toLowerCase().replaceAll('_', '-')}`;
}

/** A translator a service registers to turn its own error kinds (e.g. domain errors) into AppErrors. */
export type ErrorTranslator = (err: unknown) => AppError | undefined;

const contentTypeCodes: Record<string, () => AppError> = {
  FST_ERR_CTP_BODY_TOO_LARGE: () => appError('PAYLOAD_TOO_LARGE', 'the request body is larger than the limit'),
  FST_ERR_CTP_INVALID_MEDIA_TYPE: () =>
    appError('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json'),
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: () =>
    appError('VALIDATION_FAILED', 'the Content-Length header does not match the body'),
  FST_ERR_CTP_EMPTY_JSON_BODY: () =>
    appError('VALIDATION_FAILED', 'the body is empty but the content type is application/json'),
  FST_ERR_CTP_INVALID_JSON_BODY: () => appError('VALIDATION_FAILED', 'the body is not valid JSON'),
};

/** Maps any error thrown while handling a request onto the catalogue. */
export function toAppError(err: unknown, translators: readonly ErrorTranslator[] = []): AppError {
  if (isAppError(err)) return err;
  for (const translate of translators) {
    const mapped = translate(err);
    if (mapped) return mapped;
  }
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = (err as { validationContext?: string }).validationContext ?? 'body';
    const fields: FieldError[] = err.validation.map((v) => ({
      path: `${where}${v.instancePath === '/' ? '' : v.instancePath.replaceAll('/', '.')}`,
      message: v.message ?? 'is not valid',
    }));
    return appError('VALIDATION_FAILED', `${fields.length} field(s) are not valid`, { extra: { errors: fields } });
  }
  if (isResponseSerializationError(err)) return appError('INTERNAL', 'the response did not match its schema', { cause: err });
  const fe = (typeof err === 'object' && err !== null ? err : {}) as Partial<Pick<FastifyError, 'code' | 'statusCode' | 'message'>>;
  const byCode = fe.code ? contentTypeCodes[fe.code] : undefined;
  if (byCode) return byCode();
  if (err instanceof SyntaxError && fe.statusCode === 400) return appError('VALIDATION_FAILED', 'the body is not valid JSON');
  if (fe.statusCode === 400) return appError('VALIDATION_FAILED', fe.message ?? 'bad request');
  if (fe.statusCode === 404) return appError('NOT_FOUND', fe.message ?? 'not found');
  if (fe.statusCode === 413) return contentTypeCodes.FST_ERR_CTP_BODY_TOO_LARGE!();
  if (fe.statusCode === 415) return contentTypeCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE!();
  if (fe.statusCode === 503) return appError('NOT_READY', fe.message ?? 'not ready');
  // The database is down or restarting: a retry may succeed, so say so instead of a 500.
  if (isStorageUnreachable(err)) return appError('STORAGE_UNAVAILABLE', 'the database is unreachable; try again shortly', { cause: err, headers: { 'retry-after': '2' } });
  return appError('INTERNAL', 'an unexpected error occurred; the request id identifies it in the logs', { cause: err });
}

export function problemBody(err: AppError, request?: FastifyRequest): Problem {
  return {
    ...err.extra,
    type: problemType(err.publicCode),
    title: err.title,
    status: err.status,
    detail: err.message,
    code: err.publicCode,
    ...(request ? { instance: request.url.split('?')[0] ?? request.url, requestId: request.id } : {}),
  };
}

export function sendProblem(reply: FastifyReply, err: AppError): FastifyReply {
  for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).serializer(JSON.stringify).send(problemBody(err, reply.request));
}
