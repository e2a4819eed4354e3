import { generateKeyPairSync, randomBytes, type JsonWebKey } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { errors, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Test } from 'tap';

type JWK = JsonWebKey & { kid: string; alg: string; use: string };

/** The people the test identity provider knows: their roles and bureau become access-token claims. */
export const oidcPeople: Record<string, { name: string; roles: string[]; bureau: string }> = {
  'li.wei': { name: '李伟', roles: ['officer'], bureau: '331000' },
  'zhao.min': { name: '赵敏', roles: ['approver'], bureau: '331000' },
  'sun.li': { name: '孙丽', roles: ['auditor'], bureau: '330000' },
};

/** The API's audience, and the resource indicator (RFC 8707) the console asks an access token for. */
export const API_AUDIENCE = 'urn:gongguan:api';
export const CLIENT_ID = 'gongguan-console';

export interface TestOidcProvider {
  /** http://127.0.0.1:<port> */
  issuer: string;
  jwksUri: string;
  /** The provider's signing key (private JWK), for tests that mint a token by other means. */
  signingJwk: JWK;
  /** Registers the console (its redirect URI `<consoleUrl>/`) and starts answering. */
  register(consoleUrl: string): void;
  provider(): Provider;
}

/**
 * A real OpenID provider (panva's oidc-provider) on 127.0.0.1 in the test process: one public
 * client with PKCE required, its built-in development login and consent pages (any password), and
 * access tokens as JWT (ES256) for the resource API_AUDIENCE carrying `roles` and `bureau`.
 *
 * The listening socket comes first (the issuer's URL goes into the console's environment); the
 * provider itself is made once the console's URL, and so the redirect URI, is known.
 */
export async function startOidcProvider(t: Test): Promise<TestOidcProvider> {
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let instance: Provider | undefined;
  const server = createServer((req, res) => {
    if (handler) return handler(req, res);
    res.statusCode = 503;
    res.end('not ready');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  server.unref();
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const signingKey: JWK = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'test-es256', alg: 'ES256', use: 'sig' };

  const register = (consoleUrl: string) => {
    const configuration: Configuration = {
      clients: [
        {
          client_id: CLIENT_ID,
          application_type: 'web',
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [`${consoleUrl}/`],
          post_logout_redirect_uris: [`${consoleUrl}/`],
          id_token_signed_response_alg: 'ES256',
        },
      ],
      jwks: { keys: [signingKey as never] },
      cookies: { keys: [randomBytes(32).toString('base64url')] },
      pkce: { required: () => true },
      claims: { openid: ['sub'], profile: ['name'] },
      async findAccount(_ctx, id) {
        const person = oidcPeople[id];
        if (!person) return undefined;
        return { accountId: id, claims: async () => ({ sub: id, name: person.name }) };
      },
      features: {
        devInteractions: { enabled: true },
        rpInitiatedLogout: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: async () => API_AUDIENCE,
          useGrantedResource: async () => true,
          getResourceServerInfo: async (_ctx, resource) => {
            if (resource !== API_AUDIENCE) throw new errors.InvalidTarget();
            return { scope: 'gongguan', audience: API_AUDIENCE, accessTokenFormat: 'jwt', accessTokenTTL: 3600, jwt: { sign: { alg: 'ES256' } } };
          },
        },
      },
      async extraTokenClaims(_ctx: KoaContextWithOIDC, token) {
        const person = 'accountId' in token && typeof token.accountId === 'string' ? oidcPeople[token.accountId] : undefined;
        return person ? { roles: person.roles, bureau: person.bureau } : undefined;
      },
    };
    instance = new Provider(issuer, configuration);
    // The provider sits on plain http on the loopback interface; its cookies are not Secure there.
    instance.proxy = false;
    handler = instance.callback();
  };

  return {
    issuer,
    jwksUri: `${issuer}/jwks`,
    signingJwk: signingKey,
    register,
    provider: () => {
      if (!instance) throw new Error('register the console first');
      return instance;
    },
  };
}
