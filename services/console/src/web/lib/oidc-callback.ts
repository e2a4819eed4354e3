import type { ConsoleConfig } from './config';
import type { Session } from './session';

type Oidc = NonNullable<ConsoleConfig['oidc']>;

/** Starts the authorization-code flow with PKCE (the OpenID client code loads only here). */
export async function startOidcSignIn(oidc: Oidc): Promise<void> {
  const m = await import('./oidc');
  await m.startSignIn(oidc);
}

/** Finishes it when the provider redirects back with ?code= and ?state=. */
export async function completeOidcSignIn(oidc: Oidc): Promise<Session | null> {
  const m = await import('./oidc');
  return m.completeSignIn(oidc);
}
