import type { ConsoleConfig } from './config';
import type { Session } from './session';

type Oidc = NonNullable<ConsoleConfig['oidc']>;

/** Starts the authorization-code flow with PKCE (the OpenID client code loads only here). */
export async function startOidcSignIn(oidc: Oidc): Promise<void> {
  const m = await import('./oidc');
  await m.startSignIn(oidc);
}

/** Finishes it when the provider redirects back with ?code= and ?state=. */
export async function completeOidcSignIn(oidc: Oidc): Promise<{ session: Session; back: string } | null> {
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

/** Why a sign-in did not complete, in both languages (the provider's own words are in neither). */
export interface SignInError {
  zh: string;
  en: string;
}

/** Remembers why the last sign-in failed, for the sign-in page to say. */
export function rememberSignInError(error: SignInError): void {
  sessionStorage.setItem(ERROR, JSON.stringify(error));
}

/** Why the last sign-in failed, once. */
export function takeSignInError(): SignInError | null {
  const raw = sessionStorage.getItem(ERROR);
  sessionStorage.removeItem(ERROR);
  try {
    return raw ? (JSON.parse(raw) as SignInError) : null;
  } catch {
    return null;
  }
}
