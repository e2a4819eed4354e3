import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setUnauthenticatedHandler } from './api';
import type { ConsoleConfig } from './config';
import { endOidcSession } from './oidc-callback';
import { loadSession, saveSession, type Session } from './session';

interface Auth {
  config: ConsoleConfig;
  session: Session | null;
  signIn(session: Session): void;
  signOut(): void;
  /** Whether the signed-in person has the role. */
  has(role: string): boolean;
}

const Ctx = createContext<Auth | null>(null);

export function AuthProvider({ config, children }: { config: ConsoleConfig; children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(loadSession);
  const signIn = useCallback((s: Session) => {
    saveSession(s);
    setSession(s);
  }, []);
  // Forget the session in this tab (the token was refused or has expired).
  const dropSession = useCallback(() => {
    saveSession(null);
    setSession(null);
    window.location.hash = '#/';
  }, []);
  // The person signs out: forget the session here and, for an OpenID Connect session, end it at
  // the provider too when it offers that (otherwise the next sign-in would pass straight through).
  const signOut = useCallback(() => {
    const current = loadSession();
    dropSession();
    if (current?.via === 'oidc' && config.oidc) void endOidcSession(config.oidc, current.idToken).catch(() => undefined);
  }, [config, dropSession]);
  useEffect(() => setUnauthenticatedHandler(dropSession), [dropSession]);
  // Sign out when the token expires while the page is open.
  useEffect(() => {
    if (!session?.expiresAt) return;
    const ms = session.expiresAt * 1000 - Date.now();
    const timer = setTimeout(dropSession, Math.max(0, Math.min(ms, 2 ** 31 - 1)));
    return () => clearTimeout(timer);
  }, [session, dropSession]);
  const value = useMemo<Auth>(() => ({ config, session, signIn, signOut, has: (role) => session?.roles.includes(role) ?? false }), [config, session, signIn, signOut]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(Ctx);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
