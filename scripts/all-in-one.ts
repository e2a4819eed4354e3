import { auditApiService } from '@gongguan/audit-api';
import { auditConfigFields } from '@gongguan/audit-api/config';
import { lifecycleApiService } from '@gongguan/lifecycle-api';
import { lifecycleConfigFields } from '@gongguan/lifecycle-api/config';
import { consoleService } from '@gongguan/console';
import { consoleConfigFields } from '@gongguan/console/config';
import { baseConfigSchema, type ServerDefinition } from '@gongguan/platform';
import { projectorService } from '@gongguan/projector';
import { projectorConfigFields } from '@gongguan/projector/config';
import { reportingApiService } from '@gongguan/reporting-api';
import { reportingConfigFields } from '@gongguan/reporting-api/config';

/** All four services in one process on one port: the embedded default. Its config knows every service's own settings. */
export const allInOneConfigSchema = baseConfigSchema({ port: 3000, serviceName: 'gongguan' }).extend({ ...auditConfigFields, ...lifecycleConfigFields, ...projectorConfigFields, ...reportingConfigFields, ...consoleConfigFields });

export const allInOne: ServerDefinition<typeof allInOneConfigSchema> = {
  title: 'Gongguan',
  description:
    'Event-sourced lifecycle tracker for government-funded major technology breakthrough projects: lifecycle commands, projections, reporting and audit in one process.',
  configSchema: allInOneConfigSchema,
  services: [lifecycleApiService, projectorService, reportingApiService, auditApiService, consoleService],
  banner: (url, config) =>
    [
      `Gongguan is listening on ${url}`,
      `  console:  ${url}/   (${config.GONGGUAN_ENV === 'development' && !config.JWKS_FILE && !config.JWKS_URL ? 'development sign-in: pick a demo person' : 'sign in with your identity provider'})`,
      `  storage:  ${config.DATABASE_URL ? 'PostgreSQL' : `embedded PGlite in ${config.DATA_DIR}/pglite`}`,
      `  API docs: ${url}/docs   (OpenAPI: ${url}/openapi.json)`,
      `  health:   ${url}/healthz  ${url}/readyz  ${url}/metrics`,
      `  a token:  pnpm token --role officer --sub alice`,
      `            then: curl -H "Authorization: Bearer <token>" ${url}/...`,
    ].join('\n'),
};
