import {
  annualSummary,
  annualSummaryDueOn,
  annualSummaryStatus,
  annualSummaryStatusNames,
  BureauCode,
  roles,
  toShanghaiDate,
  type AnnualSummaryState,
  type AnnualSummaryStatus,
} from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { callerBureau } from '../bureaus/access.js';
import { execute } from '../commands/execute.js';
import { loadAggregate } from '../commands/load.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { bodySchema } from './simple-command.js';

const Year = z.coerce.number().int().min(2000).max(2100);
const statuses = ['on_time', 'late', 'pending', 'missing'] as const satisfies readonly AnnualSummaryStatus[];

const SummaryRow = z.object({
  bureauCode: z.string(),
  name: z.string().nullable(),
  status: z.enum(statuses),
  statusName: z.string().describe('按时报送 / 逾期报送 / 未到期 / 逾期未报'),
  title: z.string().nullable(),
  submittedOn: z.string().nullable(),
  dueOn: z.string(),
});

/**
 * Annual work summaries (seed 001): each city bureau submits its summary for a year to the
 * province, due January 15 of the next year (policy: ANNUAL_SUMMARY_DUE); the province lists the
 * late and the missing ones.
 */
export function registerSummaryRoutes(app: HttpApp, deps: CommandDeps): void {
  commandRoute(app, deps, {
    url: '/v1/bureaus/:code/annual-summaries/:year',
    summary: "Submit a city bureau's annual work summary for a year to the province (due January 15 of the next year)",
    description:
      'Only the city bureau itself submits (its token\'s bureau is `code`): a bureau below the caller 403 BUREAU_FORBIDDEN, outside 404. Counties and the province do not submit (403 SUMMARY_NOT_CITY). Submitted once: a different second submission is 409 ALREADY_EXISTS; a late one is recorded as late.',
    tags: ['bureaus'],
    roles: annualSummary.commandRoles.SubmitAnnualSummary,
    params: z.strictObject({ code: BureauCode, year: Year }),
    body: bodySchema('SubmitAnnualSummary', ['bureauCode', 'year']),
    bodyExample: { title: '台州市2026年度科技工作总结', summary: '全年组织实施十大技术攻关项目……', submittedOn: '2027-01-10' },
    created: true,
    commandType: 'SubmitAnnualSummary',
    resources: ({ params }) => [{ kind: 'bureau', code: (params as { code: string }).code }],
    async run(ctx, { params, body, ifMatch }) {
      const { code, year } = params as { code: string; year: number };
      const primary = await execute(ctx, {
        aggregate: annualSummary,
        stream: annualSummary.streamName(code, year),
        type: 'SubmitAnnualSummary',
        data: { ...(body as object), bureauCode: code, year },
        step: 'submit',
        ifMatch,
      });
      return { primary, resourceId: `${code}-${year}`, location: `/v1/bureaus/${code}/annual-summaries?year=${year}` };
    },
  });

  app.get(
    '/v1/bureaus/:code/annual-summaries',
    {
      config: { roles: [...roles] },
      schema: {
        summary: "The annual work summaries of the city bureaus within a bureau for a year: on time, late, not yet due, missing",
        description: 'For the province: every city under it, with the late and missing ones counted. `status` filters (e.g. `late,missing`). A bureau outside the caller\'s subtree: 404.',
        tags: ['bureaus'],
        params: z.strictObject({ code: BureauCode }),
        querystring: z.strictObject({
          year: Year,
          status: z
            .string()
            .regex(/^(on_time|late|pending|missing)(,(on_time|late|pending|missing))*$/, 'one or more of on_time, late, pending, missing, comma-separated')
            .optional(),
        }),
        response: {
          200: z.object({
            bureauCode: z.string(),
            year: z.number(),
            dueOn: z.string(),
            today: z.string(),
            counts: z.object({ on_time: z.number(), late: z.number(), pending: z.number(), missing: z.number() }),
            summaries: z.array(SummaryRow),
          }),
        },
      },
    },
    async (request) => {
      const { code } = request.params as { code: string };
      const { year, status } = request.query as { year: number; status?: string };
      const caller = callerBureau(request.principal!);
      const directory = await deps.bureaus.directory();
      if (!directory.isWithin(code, caller) || (!directory.isRegistered(code) && code !== caller)) {
        throw appError('NOT_FOUND', `bureau ${code} does not exist`);
      }
      const today = toShanghaiDate(deps.env.now().toISOString());
      const cities = directory.within(code).filter((b) => b.level === 'city' && b.mergedInto === null);
      const rows = await Promise.all(
        cities.map(async (city) => {
          const state = (await loadAggregate(deps.store, annualSummary, annualSummary.streamName(city.code, year), { cache: deps.cache })).state as AnnualSummaryState;
          const submittedOn = state.status === 'submitted' ? state.submittedOn : null;
          const s = annualSummaryStatus(year, submittedOn, today);
          return {
            bureauCode: city.code,
            name: city.name,
            status: s,
            statusName: annualSummaryStatusNames[s],
            title: state.status === 'submitted' ? state.title : null,
            submittedOn,
            dueOn: state.dueOn ?? annualSummaryDueOn(year),
          };
        }),
      );
      const counts = { on_time: 0, late: 0, pending: 0, missing: 0 };
      for (const row of rows) counts[row.status]++;
      const wanted = status === undefined ? null : new Set(status.split(','));
      return {
        bureauCode: code,
        year,
        dueOn: annualSummaryDueOn(year),
        today,
        counts,
        summaries: wanted === null ? rows : rows.filter((r) => wanted.has(r.status)),
      };
    },
  );
}
