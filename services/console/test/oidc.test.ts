import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken } from '@gongguan/platform';
import type { Page } from 'playwright-core';
import t from 'tap';
import { checkAccessibility, chromiumMissing, launchBrowser, newPage } from './support/browser.js';
import { API_AUDIENCE, CLIENT_ID, startOidcProvider, type TestOidcProvider } from './support/oidc-provider.js';
import { startConsoleSystem } from './support/system.js';

/**
 * Production sign-in: OpenID Connect, authorization code with PKCE, against a real OpenID provider
 * (panva's oidc-provider) run in this process on 127.0.0.1.
 *
 * The all-in-one runs with GONGGUAN_ENV unset (development) and JWKS_URL pointing at the provider:
 * production refuses a plain-http JWKS_URL even on the loopback interface (packages/platform
 * config: jwksUrlProblem), and a configured JWKS switches the development sign-in off, so the
 * sign-in path is the production one.
 */

const missing = chromiumMissing();

/** Signs in on the provider's own (development) login page, consenting when asked. */
async function logInAtProvider(page: Page, provider: TestOidcProvider, login: string): Promise<void> {
  await page.waitForURL((u) => u.href.startsWith(provider.issuer));
  await page.locator('input[name=login]').fill(login);
  await page.locator('input[name=password]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  const consent = page.getByRole('button', { name: 'Continue' });
  const landed = page.getByTestId('whoami');
  await Promise.race([consent.waitFor(), landed.waitFor()]);
  if (await consent.isVisible()) await consent.click();
}

/** The session the console keeps in the tab's sessionStorage (this file is compiled without the DOM's types). */
const storedSession = (page: Page) => page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('gongguan.session'));

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

if (missing) {
  t.comment(missing);
  t.test(missing, { skip: missing }, () => {});
} else {
  t.test('OpenID Connect sign-in (authorization code + PKCE) against a real provider', async (t) => {
    const provider = await startOidcProvider(t);
    const server = await startConsoleSystem(t, 'pglite', {
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: CLIENT_ID,
      OIDC_RESOURCE: API_AUDIENCE,
      JWKS_URL: provider.jwksUri,
      JWT_ISSUER: provider.issuer,
      JWT_AUDIENCE: API_AUDIENCE,
    });
    provider.register(server.url);
    const origin = new URL(server.url).origin;

    // The page's settings and its Content-Security-Policy.
    const config = (await (await fetch(`${server.url}/console/config.json`)).json()) as { devSignIn: boolean; oidc: unknown };
    t.equal(config.devSignIn, false, 'no development sign-in when a JWKS is configured');
    t.same(config.oidc, { issuer: provider.issuer, clientId: CLIENT_ID, scope: 'openid profile', resource: API_AUDIENCE }, 'the page is told the issuer, client id, scope and resource');
    const devSignIn = await fetch(`${server.url}/console/dev-sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'mallory', roles: ['admin'] }) });
    t.equal(devSignIn.status, 404, 'POST /console/dev-sign-in answers 404');
    const csp = (await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
    t.same(directives['connect-src'], ["'self'", provider.issuer], 'connect-src: the origin and the issuer (discovery and the token endpoint), nothing else');
    t.same(directives['form-action'], ["'self'"], 'form-action: the origin only (the page never posts a form to the issuer)');
    t.same(directives['script-src'], ["'self'"], 'script-src: the origin only');
    t.same(directives['default-src'], ["'self'"], 'default-src: the origin only');

    const browser = await launchBrowser(t);
    const { context, page } = await newPage(browser);
    // Everything the browser asks for, by origin; the provider's development pages link a web font,
    // which is refused here (the closed network would refuse it too).
    const requested: string[] = [];
    await context.route('**/*', async (route) => {
      const url = new URL(route.request().url());
      requested.push(url.href);
      if (url.origin === origin || url.origin === provider.issuer) return route.continue();
      return route.abort();
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${server.url}/`);
    const signInButton = page.getByRole('button', { name: '统一身份认证登录' });
    await signInButton.waitFor();
    t.equal(await page.getByText('开发环境演示登录').count(), 0, 'no demo sign-in on the page');
    t.equal(await page.getByTestId('sign-in-alice').count(), 0, 'no demo people to pick');
    await page.waitForLoadState('networkidle');
    t.same(requested.filter((u) => new URL(u).origin !== origin), [], 'the first load fetches nothing from outside the origin');
    await checkAccessibility(t, page, 'sign-in page (OpenID Connect)');

    // Sign in as an officer.
    requested.length = 0;
    await signInButton.click();
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    const authorize = new URL(requested.find((u) => u.startsWith(`${provider.issuer}/auth`)) ?? 'http://invalid/');
    t.equal(authorize.searchParams.get('code_challenge_method'), 'S256', 'the authorization request carries a PKCE challenge (S256)');
    t.match(authorize.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/, 'its challenge is a SHA-256 in base64url');
    t.ok(authorize.searchParams.get('state') && authorize.searchParams.get('nonce'), 'with a state and a nonce');
    t.equal(authorize.searchParams.get('redirect_uri'), `${origin}/`, 'and the redirect URI <console>/');
    t.equal(authorize.searchParams.get('resource'), API_AUDIENCE, 'and the resource indicator of the API');
    await logInAtProvider(page, provider, 'li.wei');
    await page.getByTestId('whoami').waitFor();
    t.match(await page.getByTestId('whoami').innerText(), /li\.wei · 项目专员/, 'back in the console as li.wei, an officer');
    t.notMatch(page.url(), /[?&](code|state)=/, 'the code and state are gone from the address bar');
    const worklist = page.waitForResponse((r) => r.url().includes('/v1/reporting/projects'));
    await page.getByRole('heading', { name: '我的待办' }).waitFor();
    t.equal((await worklist).status(), 200, 'the worklist calls the API with the provider’s access token and is answered');
    await page.waitForLoadState('networkidle');
    t.equal(await page.getByRole('alert').filter({ hasText: /错误|失败|令牌|登录/ }).count(), 0, 'no error shown');
    const foreign = requested.filter((u) => ![origin, provider.issuer].includes(new URL(u).origin));
    t.ok(foreign.every((u) => u.startsWith('https://fonts.')), `nothing else outside the origin and the issuer was asked for (the provider's own pages link a web font): ${foreign.join(', ')}`);

    // The token the console holds: an access token for the API, from this issuer, with roles and bureau.
    const token = (JSON.parse((await storedSession(page)) ?? '{}') as { token?: string }).token ?? '';
    const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    t.match(claims, { iss: provider.issuer, aud: API_AUDIENCE, sub: 'li.wei', roles: ['officer'], bureau: '331000' }, 'the access token carries iss, aud, sub, roles and bureau');
    const asOfficer = await fetch(`${server.url}/v1/reporting/projects`, { headers: { authorization: `Bearer ${token}` } });
    t.equal(asOfficer.status, 200, 'the API accepts it');

    // The API refuses a token from another issuer, even signed by a key it trusts.
    const otherKey = { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'other', alg: 'ES256' };
    const foreignToken = await signToken(otherKey, { subject: 'li.wei', roles: ['officer'], bureau: '331000', issuer: 'https://idp.elsewhere.example', audience: API_AUDIENCE });
    const refused = await fetch(`${server.url}/v1/reporting/projects`, { headers: { authorization: `Bearer ${foreignToken}` } });
    t.equal(refused.status, 401, 'the API refuses a token from another issuer and key');
    const wrongIssuer = await signToken(provider.signingJwk, { subject: 'li.wei', roles: ['officer'], bureau: '331000', issuer: 'https://idp.elsewhere.example', audience: API_AUDIENCE });
    t.equal((await fetch(`${server.url}/v1/reporting/projects`, { headers: { authorization: `Bearer ${wrongIssuer}` } })).status, 401, 'and one signed by the provider’s key that names another issuer');
    const sameIssuer = await signToken(provider.signingJwk, { subject: 'li.wei', roles: ['officer'], bureau: '331000', issuer: provider.issuer, audience: API_AUDIENCE });
    t.equal((await fetch(`${server.url}/v1/reporting/projects`, { headers: { authorization: `Bearer ${sameIssuer}` } })).status, 200, '(the same token naming the right issuer is accepted: the issuer is what was refused)');
    t.same(errors, [], 'no script error on the page');

    // Sign out: the session is cleared and the provider's session is ended.
    await page.getByRole('button', { name: '退出' }).click();
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    await page.getByRole('button', { name: /Yes, sign me out/i }).click();
    await page.waitForURL((u) => u.href.startsWith(origin));
    await page.getByRole('button', { name: '统一身份认证登录' }).waitFor();
    t.equal(await storedSession(page), null, 'signed out: no session kept in the tab');
    await page.getByRole('button', { name: '统一身份认证登录' }).click();
    await page.waitForURL((u) => u.href.startsWith(provider.issuer));
    await t.resolves(page.locator('input[name=login]').waitFor(), 'the provider asks for a login again: its session was ended too');

    // A sign-in refused at the provider (here: cancelled on its login page) is said on the sign-in page.
    const cancelled = await newPage(browser);
    await cancelled.context.route('**/*', (route) => ([origin, provider.issuer].includes(new URL(route.request().url()).origin) ? route.continue() : route.abort()));
    await cancelled.page.goto(`${server.url}/#/projects`);
    await cancelled.page.getByRole('button', { name: '统一身份认证登录' }).click();
    await cancelled.page.waitForURL((u) => u.href.startsWith(provider.issuer));
    await cancelled.page.getByRole('link', { name: /Cancel/ }).click();
    await cancelled.page.waitForURL((u) => u.href.startsWith(origin));
    const said = cancelled.page.getByRole('alert').filter({ hasText: '统一身份认证登录未完成' });
    await said.waitFor();
    t.match(await said.innerText(), /access_denied/, 'a cancelled sign-in says the provider refused it (access_denied)');
    t.notMatch(cancelled.page.url(), /[?&](error|state)=/, 'and the refusal leaves the address bar');
    t.equal(await storedSession(cancelled.page), null, 'no session');

    // Another person, another role, in another browser context; back on the page they started from.
    const second = await newPage(browser);
    await second.context.route('**/*', (route) => ([origin, provider.issuer].includes(new URL(route.request().url()).origin) ? route.continue() : route.abort()));
    await second.page.goto(`${server.url}/#/approvals`);
    await second.page.getByRole('button', { name: '统一身份认证登录' }).click();
    await logInAtProvider(second.page, provider, 'zhao.min');
    await second.page.getByTestId('whoami').waitFor();
    t.match(await second.page.getByTestId('whoami').innerText(), /zhao\.min · 审批领导/, 'zhao.min signs in as an approver');
    t.match(new URL(second.page.url()).hash, /^#\/approvals/, 'back on the page where the sign-in started');
  });

  t.test('the provider requires PKCE: a code exchanged without its verifier is refused', async (t) => {
    const provider = await startOidcProvider(t);
    // The test plays the client: a small server at the redirect URI records where the browser comes back.
    const redirects: URL[] = [];
    const back = createServer((req, res) => {
      redirects.push(new URL(req.url ?? '/', 'http://127.0.0.1'));
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>back</title><p data-testid="whoami">back</p>');
    });
    await new Promise<void>((resolve) => back.listen(0, '127.0.0.1', resolve));
    t.teardown(() => new Promise<void>((resolve) => back.close(() => resolve())));
    const consoleUrl = `http://127.0.0.1:${(back.address() as AddressInfo).port}`;
    provider.register(consoleUrl);
    const browser = await launchBrowser(t);
    const { context, page } = await newPage(browser);
    await context.route('https://**/*', (route) => route.abort());
    const authorize = (extra: Record<string, string>) => {
      const url = new URL(`${provider.issuer}/auth`);
      for (const [k, v] of Object.entries({ client_id: CLIENT_ID, redirect_uri: `${consoleUrl}/`, response_type: 'code', scope: 'openid', state: 'st', nonce: 'nn', resource: API_AUDIENCE, ...extra })) url.searchParams.set(k, v);
      return url.href;
    };

    await page.goto(authorize({}));
    await page.waitForURL((u) => u.href.startsWith(consoleUrl));
    t.equal(redirects.at(-1)?.searchParams.get('error'), 'invalid_request', 'an authorization request without a code_challenge is refused');

    const verifier = randomBytes(32).toString('base64url');
    await page.goto(authorize({ code_challenge: s256(verifier), code_challenge_method: 'S256' }));
    await logInAtProvider(page, provider, 'sun.li');
    await page.waitForURL((u) => u.href.startsWith(consoleUrl));
    const code = redirects.at(-1)?.searchParams.get('code');
    t.ok(code, 'with a challenge, the provider hands back a code');
    const exchange = (more: Record<string, string>) =>
      fetch(`${provider.issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: CLIENT_ID, code: code ?? '', redirect_uri: `${consoleUrl}/`, resource: API_AUDIENCE, ...more }),
      });
    const without = await exchange({});
    t.equal(without.status, 400, 'exchanged without the verifier: refused');
    t.match(await without.json(), { error: /invalid_(grant|request)/ }, 'with an OAuth error (invalid_grant or invalid_request)');
    const wrong = await exchange({ code_verifier: randomBytes(32).toString('base64url') });
    t.equal(wrong.status, 400, 'exchanged with another verifier: refused');
    const right = await exchange({ code_verifier: verifier });
    t.equal(right.status, 200, 'exchanged with its verifier: an access token (so the refusals were about PKCE)');
    const body = (await right.json()) as { access_token: string; token_type: string };
    const claims = JSON.parse(Buffer.from(body.access_token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
    t.match(claims, { sub: 'sun.li', roles: ['auditor'], bureau: '330000', aud: API_AUDIENCE }, 'a JWT for the API with the person’s roles and bureau');
  });
}
