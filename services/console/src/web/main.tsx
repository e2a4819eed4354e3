import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { loadConfig } from './lib/config';
import { completeOidcSignIn, rememberSignInError } from './lib/oidc-callback';
import { saveSession } from './lib/session';

const root = createRoot(document.getElementById('root')!);

async function boot() {
  const config = await loadConfig();
  // Back from the identity provider with ?code=…&state=…: finish the sign-in before the app renders.
  // A refusal (?error=…) or a failed exchange is said on the sign-in page, never a blank page.
  const back = new URLSearchParams(window.location.search);
  if (config.oidc && back.has('state') && (back.has('code') || back.has('error'))) {
    try {
      const session = await completeOidcSignIn(config.oidc);
      if (session) saveSession(session);
    } catch (err) {
      rememberSignInError(err instanceof Error ? err.message : String(err));
    }
    window.history.replaceState(null, '', '/#/');
  }
  root.render(
    <StrictMode>
      <App config={config} />
    </StrictMode>,
  );
}

boot().catch((err: unknown) => {
  root.render(
    <div role="alert" style={{ margin: '4em auto', maxWidth: '40em', fontFamily: 'sans-serif' }}>
      <h1>控制台无法启动 (the console could not start)</h1>
      <p>{err instanceof Error ? err.message : String(err)}</p>
    </div>,
  );
});
