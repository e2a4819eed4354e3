import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../api/schema';
import { loadSession } from './session';

/** An RFC 9457 problem the API answered with; `code` is the stable key the console translates. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly problem: Record<string, unknown>,
  ) {
    super(`${status} ${code}: ${detail}`);
  }
}

let onUnauthenticated: (() => void) | undefined;
/** Called when the API answers 401 (the token expired or was revoked): the app signs out. */
export function setUnauthenticatedHandler(fn: () => void): void {
  onUnauthenticated = fn;
}

const auth: Middleware = {
  onRequest({ request }) {
    const s = loadSession();
    if (s) request.headers.set('authorization', `Bearer ${s.token}`);
    return request;
  },
};

/** The typed client, generated from /openapi.json (services/console/src/web/api/schema.d.ts). */
export const api = createClient<paths>({ baseUrl: '' });
api.use(auth);

async function toError(res: Response): Promise<ApiError> {
  let body: Record<string, unknown> = {};
  try {
    body = (await res.json()) as Record<string, unknown>;
  } catch {
    /* not JSON */
  }
  if (res.status === 401) onUnauthenticated?.();
  return new ApiError(res.status, String(body.code ?? `HTTP_${res.status}`), String(body.detail ?? body.title ?? res.statusText), body);
}

/** The data of a typed read, or its problem thrown as ApiError. */
export async function must<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await p;
  if (error !== undefined || !response.ok || data === undefined) {
    const body = (error ?? {}) as Record<string, unknown>;
    if (response.status === 401) onUnauthenticated?.();
    throw new ApiError(response.status, String(body.code ?? `HTTP_${response.status}`), String(body.detail ?? body.title ?? response.statusText), body);
  }
  return data;
}

/** A GET of any API path (the path is built at run time, e.g. from a list the user picked). */
export async function getJson<T = Record<string, unknown>>(path: string, query?: Record<string, string | number | boolean | undefined | null>): Promise<{ data: T; etag: string | null }> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const s = loadSession();
  const res = await fetch(`${path}${qs.size ? `?${qs}` : ''}`, { headers: { accept: 'application/json', ...(s ? { authorization: `Bearer ${s.token}` } : {}) } });
  if (!res.ok) throw await toError(res);
  return { data: (await res.json()) as T, etag: res.headers.get('etag') };
}

/** Downloads a file the API serves (a CSV export, an audit bundle, an evidence file) with the caller's token. */
export async function download(path: string, fileName: string): Promise<void> {
  const s = loadSession();
  const res = await fetch(path, { headers: s ? { authorization: `Bearer ${s.token}` } : {} });
  if (!res.ok) throw await toError(res);
  saveBlob(await res.blob(), fileName);
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export interface CommandOptions {
  /** The revision the user decided on (If-Match): a stale one is 412 and the page shows what changed. */
  ifMatch?: number | string | null;
  /** Reused when the same submission is retried (a lost answer, a double click): the server answers the first result again. */
  idempotencyKey: string;
  /** Back-recording (补录): the date the fact took effect. */
  effectiveDate?: string | null;
  /** A file upload instead of JSON. */
  file?: File;
}

export interface CommandResult {
  resourceId?: string;
  stream: string;
  revision: number;
  position: string | null;
  events: Array<{ id: string; type: string; revision: number }>;
}

/** Sends a command. Retries a network failure with the same Idempotency-Key, so a lost answer never writes twice. */
export async function command(path: string, body: unknown, options: CommandOptions): Promise<CommandResult> {
  const s = loadSession();
  const headers: Record<string, string> = { accept: 'application/json', 'idempotency-key': options.idempotencyKey };
  if (s) headers.authorization = `Bearer ${s.token}`;
  if (options.ifMatch !== undefined && options.ifMatch !== null) headers['if-match'] = `"${options.ifMatch}"`;
  if (options.effectiveDate) headers['effective-date'] = options.effectiveDate;
  let payload: BodyInit;
  if (options.file) {
    headers['content-type'] = options.file.type || 'application/octet-stream';
    headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(options.file.name)}`;
    payload = options.file;
  } else {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body ?? {});
  }
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    let res: Response;
    try {
      res = await fetch(path, { method: 'POST', headers, body: payload });
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
      continue;
    }
    if (!res.ok) throw await toError(res);
    return (await res.json()) as CommandResult;
  }
  throw new ApiError(0, 'NETWORK', String(lastError), {});
}

/** A new Idempotency-Key for one submission of a form. */
export function newIdempotencyKey(): string {
  return `console-${crypto.randomUUID()}`;
}
