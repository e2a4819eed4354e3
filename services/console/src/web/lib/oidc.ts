import * as oauth from 'oauth4webapi';
import type { ConsoleConfig } from './config';
import { sessionFromToken, type Session } from './session';

type Oidc = NonNullable<ConsoleConfig['oidc']>;
const FLOW = 'gongguan.oidc.flow';

/** The console is a public client (no secret): PKCE binds the code to this browser tab. */
function client(oidc: Oidc): oauth.Client {
  return { client_id: oidc.clientId, token_endpoint_auth_method: 'none' };
}

async function discover(oidc: Oidc): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(oidc.issuer);
  const res = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', [oauth.allowInsecureRequests]: issuer.protocol === 'http:' });
  return oauth.processDiscoveryResponse(issuer, res);
}

function redirectUri(): string {
  return `${window.location.origin}/`;
}

export async function startSignIn(oidc: Oidc): Promise<void> {
  const as = await discover(oidc);
  if (!as.authorization_endpoint) throw new Error('the issuer has no authorization endpoint');
  const verifier = oauth.generateRandomCodeVerifier();
  const challenge = await oauth.calculatePKCECodeChallenge(verifier);
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  sessionStorage.setItem(FLOW, JSON.stringify({ verifier, state, nonce, back: window.location.hash || '#/' }));
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', oidc.scope);
  url.searchParams.set('code_challenge', challenge);
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  url.searchParams.set('nonce', nonce);
  if (oidc.resource) url.searchParams.set('resource', oidc.resource);
  window.location.assign(url.href);
}

/** The session, and the page (#/…) the person was on when they chose to sign in; null when this tab started no sign-in. */
export async function completeSignIn(oidc: Oidc): Promise<{ session: Session; back: string } | null> {
  const raw = sessionStorage.getItem(FLOW);
  sessionStorage.removeItem(FLOW);
  if (!raw) return null;
  const flow = JSON.parse(raw) as { verifier: string; state: string; nonce: string; back?: string };
  const as = await discover(oidc);
  const c = client(oidc);
  const params = oauth.validateAuthResponse(as, c, new URL(window.location.href), flow.state);
  const insecure = { [oauth.allowInsecureRequests]: new URL(oidc.issuer).protocol === 'http:' };
  const res = await oauth.authorizationCodeGrantRequest(as, c, oauth.None(), params, redirectUri(), flow.verifier, {
    ...insecure,
    ...(oidc.resource ? { additionalParameters: { resource: oidc.resource } } : {}),
  });
  const result = await oauth.processAuthorizationCodeResponse(as, c, res, { expectedNonce: flow.nonce, requireIdToken: true });
  const back = flow.back && /^#\/[^\s]*$/.test(flow.back) ? flow.back : '#/';
  return { session: sessionFromToken(result.access_token, 'oidc', result.id_token), back };
}

/**
 * Where to end the session at the provider (RP-initiated logout), coming back to the console;
 * null when the provider publishes no end_session_endpoint.
 */
export async function endSessionUrl(oidc: Oidc, idToken?: string): Promise<string | null> {
  const as = await discover(oidc);
  if (!as.end_session_endpoint) return null;
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('post_logout_redirect_uri', redirectUri());
  if (idToken) url.searchParams.set('id_token_hint', idToken);
  return url.href;
}
