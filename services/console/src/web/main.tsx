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
    let back = '#/';
    try {
      const done = await completeOidcSignIn(config.oidc);
      if (done) {
        saveSession(done.session);
        back = done.back;
      } else {
        rememberSignInError({ zh: '这个标签页没有发起登录，请重新登录。', en: 'this tab did not start a sign-in; sign in again.' });
      }
    } catch (err) {
      // The provider's refusal (?error=access_denied…) or a failed exchange, in its own words.
      const e = err as { message?: string; error?: string; error_description?: string };
      const why = e.error ? `${e.error_description ?? e.message ?? ''} (${e.error})`.trim() : (e.message ?? String(err));
      rememberSignInError({ zh: why, en: why });
    }
    // The code and state leave the address bar (and the history) at once.
    window.history.replaceState(null, '', `/${back}`);
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
