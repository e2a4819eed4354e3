/** What the server tells the page about itself (GET /console/config.json). */
export interface ConsoleConfig {
  env: 'development' | 'production' | 'test';
  devSignIn: boolean;
  demoIdentities: Array<{ subject: string; roles: string[]; name: string; title: string }>;
  oidc: { issuer: string; clientId: string; scope: string; resource: string | null } | null;
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const res = await fetch('/console/config.json', { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`/console/config.json answered ${res.status}`);
  return (await res.json()) as ConsoleConfig;
}
