import { decideApproval, decideRelease, parseCommand, programme, project, Text } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { executeAcross } from '../commands/execute-across.js';
import { loadAggregate } from '../commands/load.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { bodySchema, paramsSchema } from './simple-command.js';

const RELEASE_URL = '/v1/programmes/:programmeId/selection-slots/:projectId/release';

/**
 * Selection within the quota: one decision over the programme and the project, written in one
 * atomic append with the expected revision of both streams (no reserve-then-approve steps, no
 * compensation). See the README, "Steps across streams".
 */
export function registerSelectionRoutes(app: HttpApp, deps: CommandDeps): void {
  commandRoute(app, deps, {
    url: '/v1/projects/:projectId/approval',
    summary: 'Approve the selection (立项): takes a place within the programme quota and approves, in one atomic write',
    description:
      'Refused with QUOTA_REACHED when the programme has no place left; never by the person who submitted the proposal. ' +
      'If-Match is the project revision: a stale one is 412 and nothing is written.',
    tags: ['solicitation'],
    roles: project.commandRoles.ApproveProject,
    params: paramsSchema('/v1/projects/:projectId/approval'),
    body: z.strictObject({ comment: Text.optional() }),
    bodyExample: { comment: 'Selected by the bureau meeting of 2018-07-17' },
    commandType: 'ApproveProject',
    resources: ({ params }) => {
      const { projectId } = params as { projectId: string };
      return [{ kind: 'project', id: projectId, notFound: () => appError('NOT_FOUND', `project ${projectId} does not exist`) }];
    },
    async run(ctx, { params, body, ifMatch }) {
      const { projectId } = params as { projectId: string };
      const stream = project.streamName(projectId);
      const current = await loadAggregate(ctx.store, project, stream, { cache: ctx.cache });
      if (current.revision === 'no_stream') throw appError('NOT_FOUND', `project ${projectId} does not exist`);
      const { comment } = body as { comment?: string };
      const at = ctx.env.now().toISOString();
      const steps = await executeAcross(ctx, {
        parts: { programme: { aggregate: programme, stream: programme.streamName(current.state.programmeId) }, project: { aggregate: project, stream } },
        step: 'approve',
        ifMatch: ifMatch === undefined ? undefined : { part: 'project', revision: ifMatch },
        decide: (states) => decideApproval({ actor: ctx.actor, at, comment }, states),
      });
      return { primary: steps.project, steps: [steps.programme, steps.project], resourceId: projectId };
    },
  });

  commandRoute(app, deps, {
    url: RELEASE_URL,
    summary: 'Give back a selection place held by a project that was not approved',
    description: 'Refused with SELECTION_SLOT_IN_USE for a project that was approved: it keeps its place, also when later terminated. If-Match is the programme revision.',
    tags: ['programmes'],
    roles: programme.commandRoles.ReleaseSelectionSlot,
    params: paramsSchema(RELEASE_URL),
    body: bodySchema('ReleaseSelectionSlot', ['projectId']),
    bodyExample: { reason: 'The approval was never completed' },
    commandType: 'ReleaseSelectionSlot',
    resources: ({ params }) => {
      const { programmeId, projectId } = params as { programmeId: string; projectId: string };
      return [{ kind: 'programme', id: programmeId }, { kind: 'project', id: projectId }];
    },
    async run(ctx, { params, body, ifMatch }) {
      const { programmeId, projectId } = params as { programmeId: string; projectId: string };
      const command = parseCommand({ type: 'ReleaseSelectionSlot', actor: ctx.actor, at: ctx.env.now().toISOString(), data: { ...(body as object), projectId } });
      if (command.type !== 'ReleaseSelectionSlot') throw new Error(`parsed ${command.type} for ReleaseSelectionSlot`);
      const steps = await executeAcross(ctx, {
        parts: { programme: { aggregate: programme, stream: programme.streamName(programmeId) }, project: { aggregate: project, stream: project.streamName(projectId) } },
        step: 'release',
        ifMatch: ifMatch === undefined ? undefined : { part: 'programme', revision: ifMatch },
        decide: (states) => decideRelease(command, states),
      });
      return { primary: steps.programme, steps: [steps.programme], resourceId: projectId };
    },
  });
}
