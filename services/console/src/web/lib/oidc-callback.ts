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

/** Ends the session at the provider too, when it offers an end_session_endpoint (the page goes there and comes back to `/`). */
export async function endOidcSession(oidc: Oidc, idToken?: string): Promise<void> {
  const m = await import('./oidc');
  const url = await m.endSessionUrl(oidc, idToken);
  if (url) window.location.assign(url);
}

const ERROR = 'gongguan.oidc.error';

/** Remembers why the last sign-in failed, for the sign-in page to say. */
export function rememberSignInError(message: string): void {
  sessionStorage.setItem(ERROR, message);
}

/** Why the last sign-in failed, once. */
export function takeSignInError(): string | null {
  const message = sessionStorage.getItem(ERROR);
  sessionStorage.removeItem(ERROR);
  return message;
}
