import type { Role } from '@gongguan/platform';

/** A bearer token from the development sign-in, as the sign-in page gets one. */
export async function devToken(url: string, subject: string, roles: Role[]): Promise<string> {
  const res = await fetch(`${url}/console/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject, roles }) });
  if (!res.ok) throw new Error(`dev sign-in ${subject}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

/** A JSON call to the API that must succeed; its answer's body. */
export async function apiJson<T = Record<string, unknown>>(url: string, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json', 'idempotency-key': `test-${crypto.randomUUID()}` }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${text}`);
  return JSON.parse(text) as T;
}
