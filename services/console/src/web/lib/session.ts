/** Who is signed in: the bearer token and what the console shows of it. Kept in sessionStorage (one tab, gone when it closes). */
export interface Session {
  token: string;
  subject: string;
  roles: string[];
  bureau: string | null;
  expiresAt: number;
  via: 'dev' | 'oidc';
  idToken?: string;
}

const KEY = 'gongguan.session';

function decodeClaims(token: string): Record<string, unknown> {
  const part = token.split('.')[1];
  if (!part) return {};
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
}

/** A session from an access token (a JWT the API verifies); the claims are read only for display and menus. */
export function sessionFromToken(token: string, via: Session['via'], idToken?: string): Session {
  const claims = decodeClaims(token);
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : typeof claims.roles === 'string' ? [claims.roles] : [];
  return {
    token,
    subject: String(claims.sub ?? ''),
    roles,
    bureau: typeof claims.bureau === 'string' ? claims.bureau : null,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
    via,
    ...(idToken ? { idToken } : {}),
  };
}

export function loadSession(): Session | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    if (s.expiresAt && s.expiresAt * 1000 < Date.now()) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return s;
  } catch {
    return null;
  }
}

export function saveSession(s: Session | null): void {
  if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
  else sessionStorage.removeItem(KEY);
}
