/**
 * The one catalogue of coded errors. Every error that leaves a service is built here and
 * rendered as RFC 9457 problem+json with its stable `code`; clients branch on `code`, never
 * on the human-readable `detail`.
 */
export const errorCatalogue = {
  VALIDATION_FAILED: { status: 400, title: 'The request is not valid' },
  INVALID_STREAM_NAME: { status: 400, title: 'The stream name is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'Authentication is required' },
  TOKEN_INVALID: { status: 401, title: 'The bearer token is not valid' },
  TOKEN_EXPIRED: { status: 401, title: 'The bearer token has expired' },
  FORBIDDEN: { status: 403, title: 'Your role may not do this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  ROUTE_NOT_FOUND: { status: 404, title: 'No such route' },
  STREAM_NOT_FOUND: { status: 404, title: 'No such stream' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'Method not allowed on this resource' },
  NOT_ACCEPTABLE: { status: 406, title: 'Cannot produce the requested media type' },
  REQUEST_TIMEOUT: { status: 408, title: 'The request took too long to arrive' },
  CONCURRENCY_CONFLICT: { status: 409, title: 'The resource was changed by someone else' },
  DUPLICATE_EVENT_ID: { status: 409, title: 'An event with this id already exists elsewhere' },
  POSITION_NOT_WRITTEN: { status: 409, title: 'No event has been written at this position' },
  RULE_VIOLATION: { status: 409, title: 'A business rule refused the command' },
  EFFECTIVE_DATE_BEFORE_STREAM: { status: 409, title: 'The effective date lies before the last fact of the stream' },
  PRECONDITION_FAILED: { status: 412, title: 'The resource revision does not match If-Match' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  EVENT_TOO_LARGE: { status: 413, title: 'The event is too large to store' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used with another request' },
  EFFECTIVE_DATE_IN_FUTURE: { status: 422, title: 'The effective date lies in the future' },
  IMPORT_INVALID: { status: 422, title: 'The import file has rows that cannot be read; nothing was imported' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  NOT_READY: { status: 503, title: 'The service is not ready' },
  PROJECTION_FAILED: { status: 503, title: 'A read model this answer depends on has stopped' },
  STORAGE_UNAVAILABLE: { status: 503, title: 'Storage is unreachable' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export interface FieldError {
  /** JSON path of the bad field, e.g. `body.partners[0].creditCode`. */
  path: string;
  message: string;
}

type AppErrorOptions = {
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
  publicCode?: string;
};

/** An error from the catalogue; `extra` members are added to the problem document. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly title: string;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;
  /**
   * The `code` clients see. Usually the catalogue code; a domain refusal keeps its own stable code
   * (e.g. `QUOTA_REACHED`) while the catalogue entry (`RULE_VIOLATION`) decides status and title.
   */
  readonly publicCode: string;

  constructor(
    code: ErrorCode,
    detail: string,
    options: AppErrorOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.title = errorCatalogue[code].title;
    this.extra = options.extra ?? {};
    this.headers = options.headers ?? {};
    this.publicCode = options.publicCode ?? code;
  }
}

/** The single factory for coded errors. */
export function appError(code: ErrorCode, detail: string, options?: AppErrorOptions): AppError {
  return new AppError(code, detail, options);
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
