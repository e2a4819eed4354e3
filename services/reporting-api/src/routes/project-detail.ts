import { appError, type HttpApp } from '@gongguan/platform';
import { queryText } from '@gongguan/domain';
import { reportingColumns } from '@gongguan/projections';
import { z } from 'zod';
import type { ReportingContext } from '../context.js';
import { camelRow, exactRows, rowSchema } from '../rows.js';
import { FenSum, fenSum } from './fen.js';
import { guardRead } from '../read-gate.js';
import { callerBureau, scopedRead } from '../scope.js';
import type { SqlExecutor } from '@gongguan/platform/db';
import { IsoDateParam, PositionParam, readerRoles, todayOf } from './list.js';

const grouping = z.enum(['stage', 'status', 'industry', 'county', 'programme']);

/** One project in full, and the portfolio grouped by stage, status, industry or county. */
export function registerProjectRoutes(app: HttpApp, ctx: ReportingContext): void {
  const Project = rowSchema(reportingColumns.projects, 'project_id', { projectId: 'tz-2018-0001', status: 'in_progress' });
  const Milestone = rowSchema(reportingColumns.milestones, 'milestone_key', { milestoneId: 'm1', dueOn: '2019-02-01', status: 'accepted' });
  const Rectification = rowSchema(reportingColumns.rectifications, 'rectification_key', { rectificationId: 'rc1', status: 'open' });
  const Disbursement = rowSchema(reportingColumns.disbursements, 'disbursement_id', { disbursementId: 'r1-tz-2018-0001', rule: 'R1', status: 'paid' });
  app.get(
    '/v1/reporting/projects/:projectId',
    {
      config: { roles: readerRoles },
      schema: {
        tags: ['reporting'],
        summary: 'One project: status, its milestones, rectifications and disbursements',
        params: z.object({ projectId: queryText(64) }),
        querystring: z.strictObject({ asOf: IsoDateParam.optional(), minPosition: PositionParam.optional() }),
        response: { 200: z.object({ project: Project, milestones: z.array(Milestone), rectifications: z.array(Rectification), disbursements: z.array(Disbursement) }) },
      },
    },
    async (request, reply) => {
      await guardRead(ctx.gate, reply, ['projects', 'money'], request.query.minPosition);
      const today = todayOf(ctx, request.query.asOf);
      const id = request.params.projectId;
      const rowsOf = async (db: SqlExecutor, view: keyof typeof reportingColumns, from: string) => {
        const exact = exactRows(reportingColumns[view]);
        return (await db.query<{ j: string }>(`select row_to_json(t)::text as j${exact.select} ${from}`, [today, id])).rows.map((r) => camelRow(exact.read(r)));
      };
      // A project outside the caller's subtree is not there for this read: 404, as for an id that does not exist.
      return scopedRead(ctx, callerBureau(request), async (db) => {
        const [project] = await rowsOf(db, 'projects', 'from reporting.projects_as_of($1::date) t where t.project_id = $2');
        if (project === undefined) throw appError('NOT_FOUND', `there is no project ${id} in the read models`);
        return {
          project,
          milestones: await rowsOf(db, 'milestones', 'from reporting.milestones_as_of($1::date) t where t.project_id = $2 order by t.due_on, t.milestone_id'),
          rectifications: await rowsOf(db, 'rectifications', 'from reporting.rectifications_as_of($1::date) t where t.project_id = $2 order by t.due_on, t.rectification_id'),
          disbursements: await rowsOf(db, 'disbursements', 'from reporting.disbursements t where $1::date is not null and t.project_id = $2 order by t.requested_on, t.disbursement_id'),
        };
      });
    },
  );

  app.get(
    '/v1/reporting/portfolio',
    {
      config: { roles: readerRoles },
      schema: {
        tags: ['reporting'],
        summary: 'Portfolio: projects and funding grouped by stage, status, industry, county or programme',
        querystring: z.strictObject({
          by: z.array(grouping).or(grouping.transform((g) => [g])).default(['stage']),
          programmeId: queryText(64).optional(),
          minPosition: PositionParam.optional(),
        }),
        response: {
          200: z.object({
            groups: z.array(
              z.object({
                key: z.record(z.string(), z.string()),
                projects: z.number().int(),
                requestedFunding: FenSum,
                approvedFunding: FenSum,
              }),
            ),
          }).meta({ example: { groups: [{ key: { industry: '泵业' }, projects: 42, requestedFunding: 1200000000, approvedFunding: 800000000 }] } }),
        },
      },
    },
    async (request, reply) => {
      await guardRead(ctx.gate, reply, ['projects'], request.query.minPosition);
      const by = [...new Set(request.query.by)];
      const cols = by.map((g) => (g === 'programme' ? 'programme_id' : g));
      const { rows } = await scopedRead(ctx, callerBureau(request), (db) => db.query<{ key: string; projects: number; requested: string; approved: string }>(
        `select json_build_object(${by.map((g, i) => `'${g}', ${cols[i]}`).join(', ')})::text as key,
                sum(projects)::int as projects, coalesce(sum(requested_funding), 0)::numeric::text as requested, coalesce(sum(approved_funding), 0)::numeric::text as approved
           from reporting.portfolio where ($1::text is null or programme_id = $1)
          group by ${cols.join(', ')} order by ${cols.join(', ')}`,
        [request.query.programmeId ?? null],
      ));
      return {
        groups: rows.map((r) => ({
          key: JSON.parse(r.key) as Record<string, string>,
          projects: Number(r.projects),
          requestedFunding: fenSum(r.requested),
          approvedFunding: fenSum(r.approved),
        })),
      };
    },
  );
}
