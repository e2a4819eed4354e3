/** A problem+json answer from a Gongguan service, thrown by the client. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problem: Record<string, unknown>;
  constructor(status: number, problem: Record<string, unknown>) {
    super(typeof problem.detail === 'string' ? problem.detail : `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = typeof problem.code === 'string' ? problem.code : `HTTP_${status}`;
    this.problem = problem;
  }
}

export interface ClientOptions {
  baseUrl: string;
  /** A bearer token, or a function returning one (so it can be refreshed). */
  token?: string | (() => string | Promise<string>);
  /** Injected for tests and for runtimes without a global fetch. */
  fetch?: typeof fetch;
  /** Sent as X-Request-Id when given. */
  requestId?: () => string;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  idempotencyKey?: string;
  ifMatch?: string | number;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** The thin transport every typed client and the CLI use: JSON in, JSON or problem+json out. */
export function createHttpClient(options: ClientOptions) {
  const doFetch = options.fetch ?? fetch;
  const base = options.baseUrl.replace(/\/+$/, '');

  async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    const token = typeof options.token === 'function' ? await options.token() : options.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    if (opts.ifMatch !== undefined) headers['if-match'] = `"${String(opts.ifMatch)}"`;
    if (options.requestId) headers['x-request-id'] = options.requestId();
    const res = await doFetch(url, {
      method,
      headers,
      ...(opts.body === undefined ? {} : { body: JSON.stringify(opts.body) }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    const parsed: unknown = type.includes('json') && text.length > 0 ? JSON.parse(text) : text;
    if (!res.ok) {
      throw new ApiError(res.status, typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : { detail: String(parsed) });
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  return {
    request,
    get: <T>(path: string, opts?: RequestOptions) => request<T>('GET', path, opts),
    post: <T>(path: string, body: unknown, opts?: Omit<RequestOptions, 'body'>) => request<T>('POST', path, { ...opts, body }),
  };
}

export type HttpClient = ReturnType<typeof createHttpClient>;
