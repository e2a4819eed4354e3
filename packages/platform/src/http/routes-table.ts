/**
 * The registered routes, kept to answer 405 (with `Allow`) instead of 404 when the path exists
 * under another method, and for the authorisation matrix.
 */
export interface RouteEntry {
  method: string;
  url: string;
  roles: readonly string[] | 'public';
  pattern: RegExp;
}

export function compilePattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((part) => (part.startsWith(':') ? '[^/]+' : part === '*' ? '.*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}/?$`);
}

export function allowedMethods(routes: readonly RouteEntry[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) if (r.pattern.test(path)) methods.add(r.method);
  return [...methods].sort();
}
