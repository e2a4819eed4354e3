import { decideProposalWithdrawal, parseCommand, programme, programmeCorrectionTargets, project, taizhouPolicy, type CommandType } from '@gongguan/domain';
import { START_POSITION, type EventStore } from '@gongguan/event-store';
import { appError, isAppError, type HttpApp } from '@gongguan/platform';
import type { EventRefs } from '../commands/aggregate-cache.js';
import { executeAcross } from '../commands/execute-across.js';
import { loadAggregate } from '../commands/load.js';
import { commandRoute, type CommandDeps } from './command-route.js';
import { bodySchema, paramsSchema } from './simple-command.js';

/** The last event of the stream of one of `types`: what a correction names in `corrects`. */
export function lastOf(events: EventRefs, types: readonly string[]): { eventId: string; type: string } | undefined {
  const found = events.filter((e) => types.includes(e.type));
  const last = found[found.length - 1];
  return last === undefined ? undefined : { eventId: last.id, type: last.type };
}

/**
 * Proposals submitted to the programme before submissions recorded ProposalReceived on it: the
 * ProjectSubmitted events naming it without a ProposalReceived, counted in one filtered scan of the
 * log (an amendment is rare).
 */
async function legacyProposals(store: EventStore, programmeId: string): Promise<number> {
  const received = new Set<string>();
  try {
    for (const e of await store.readStream(programme.streamName(programmeId))) if (e.type === 'ProposalReceived') received.add(String(e.data.projectId));
  } catch (err) {
    // No programme: nothing to count (the decision refuses PROGRAMME_NOT_FOUND).
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return 0;
    throw err;
  }
  let after = START_POSITION;
  let legacy = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: 1000, filter: { streamPrefixes: ['project-'], eventTypes: ['ProjectSubmitted'] } });
    legacy += page.events.filter((e) => e.data.programmeId === programmeId && !received.has(String(e.data.projectId))).length;
    after = page.position;
    if (page.caughtUp || page.events.length === 0) return legacy;
  }
}

type ProgrammeCorrection = keyof typeof programmeCorrectionTargets;

interface ProgrammeCorrectionRoute {
  url: string;
  type: ProgrammeCorrection;
  summary: string;
  description: string;
  example: Record<string, unknown>;
}

const G = '/v1/programmes/:programmeId';

/** The programme's correcting commands (issue 19): each names the event it corrects; the original stays. */
export const programmeCorrections: ProgrammeCorrectionRoute[] = [
  {
    url: `${G}/solicitation/amendment`,
    type: 'AmendSolicitationWindow',
    summary: 'Correct the solicitation (征集) window: dates typed wrongly, or closed by mistake (the amended window is open again)',
    description:
      'Only while no proposal was submitted to the programme: 409 PROGRAMME_HAS_PROPOSALS after the first one, 409 SOLICITATION_NOT_OPENED before the window was opened. ' +
      'A submission racing the amendment is decided on the amended window or refused, never accepted under the old one (both write the programme stream with its expected revision). ' +
      'The event SolicitationWindowAmended names the event it corrects (`corrects`) and the window it replaces (`previous`). If-Match is the programme revision.',
    example: { opensOn: '2018-05-01', closesOn: '2018-08-31', reason: '截止日期录入错误，应为8月31日 (closing date typed wrongly)' },
  },
  {
    url: `${G}/policy/amendment`,
    type: 'AmendProgrammePolicy',
    summary: 'Correct the programme policy fixed at launch (the whole policy, as it should have been)',
    description:
      'Only while no proposal was submitted to the programme (409 PROGRAMME_HAS_PROPOSALS): a submitted project carries the policy it was submitted under for life. ' +
      'ProgrammePolicyAmended names the event it corrects and the policy it replaces. If-Match is the programme revision.',
    example: { policy: { ...taizhouPolicy, publicityDays: 5 }, reason: '公示期应为5天 (the publicity period is five days)' },
  },
  {
    url: `${G}/withdrawal`,
    type: 'WithdrawProgramme',
    summary: 'Withdraw the programme (撤销): it takes no proposals, approvals, windows or amendments any more',
    description:
      'Refused with 409 PROGRAMME_HAS_SELECTIONS once a project holds a place of its quota. Proposals still pending stay as they are and can be rejected or withdrawn, never approved. ' +
      'ProgrammeWithdrawn names the ProgrammeLaunched it corrects. If-Match is the programme revision.',
    example: { reason: '计划重复发布 (launched twice by mistake)' },
  },
];

export function registerCorrectionRoutes(app: HttpApp, deps: CommandDeps): void {
  for (const def of programmeCorrections) {
    commandRoute(app, deps, {
      url: def.url,
      summary: def.summary,
      description: def.description,
      tags: ['corrections'],
      roles: programme.commandRoles[def.type],
      params: paramsSchema(def.url),
      // What the service supplies, never the user: the original corrected, the proposals of before ProposalReceived.
      body: bodySchema(def.type, def.type === 'WithdrawProgramme' ? ['corrects'] : ['corrects', 'legacyProposals']),
      bodyExample: def.example,
      commandType: def.type,
      resources: ({ params }) => [{ kind: 'programme', id: (params as { programmeId: string }).programmeId }],
      async run(ctx, { params, body, ifMatch }) {
        const { programmeId } = params as { programmeId: string };
        const at = ctx.env.now().toISOString();
        // Proposals of before ProposalReceived count too (no new one can be submitted that way).
        const legacy = def.type === 'WithdrawProgramme' ? undefined : await legacyProposals(ctx.store, programmeId);
        const steps = await executeAcross(ctx, {
          parts: { programme: { aggregate: programme, stream: programme.streamName(programmeId) } },
          step: def.type,
          ifMatch: ifMatch === undefined ? undefined : { part: 'programme', revision: ifMatch },
          decide: (states, events) => {
            const corrects = lastOf(events.programme, programmeCorrectionTargets[def.type]);
            const command = parseCommand({ type: def.type satisfies CommandType, actor: ctx.actor, at, data: { ...(body as object), ...(corrects ? { corrects } : {}), ...(legacy ? { legacyProposals: legacy } : {}) } });
            return { programme: programme.decider.decide(command as never, states.programme) };
          },
        });
        return { primary: steps.programme, resourceId: programmeId };
      },
    });
  }

  const WITHDRAW_URL = '/v1/projects/:projectId/withdrawal';
  commandRoute(app, deps, {
    url: WITHDRAW_URL,
    summary: 'Withdraw a proposal (撤回申报) before approval; a place of the quota it held is given back in the same write',
    description:
      'For a proposal submitted, in expert review or in publicity. An approved project is terminated instead (409 PROPOSAL_ALREADY_APPROVED). ' +
      'ProposalWithdrawn names the ProjectSubmitted it corrects; the project ends with status `withdrawn`. Allowed on a withdrawn programme. If-Match is the project revision.',
    tags: ['corrections'],
    roles: project.commandRoles.WithdrawProposal,
    params: paramsSchema(WITHDRAW_URL),
    body: bodySchema('WithdrawProposal', ['corrects']),
    bodyExample: { reason: '申报单位主动撤回 (the applicant withdrew its proposal)' },
    commandType: 'WithdrawProposal',
    resources: ({ params }) => {
      const { projectId } = params as { projectId: string };
      return [{ kind: 'project', id: projectId, notFound: () => appError('NOT_FOUND', `project ${projectId} does not exist`) }];
    },
    async run(ctx, { params, body, ifMatch }) {
      const { projectId } = params as { projectId: string };
      const stream = project.streamName(projectId);
      // The project names its programme (never changes): the stream whose place it may give back.
      const current = await loadAggregate(ctx.store, project, stream, { cache: ctx.cache });
      if (current.revision === 'no_stream') throw appError('NOT_FOUND', `project ${projectId} does not exist`);
      const at = ctx.env.now().toISOString();
      const steps = await executeAcross(ctx, {
        parts: {
          programme: { aggregate: programme, stream: programme.streamName(current.state.programmeId) },
          project: { aggregate: project, stream },
        },
        step: 'withdraw',
        ifMatch: ifMatch === undefined ? undefined : { part: 'project', revision: ifMatch },
        decide: (states, events) => {
          const corrects = lastOf(events.project, ['ProjectSubmitted']);
          const command = parseCommand({ type: 'WithdrawProposal', actor: ctx.actor, at, data: { ...(body as object), ...(corrects ? { corrects } : {}) } });
          if (command.type !== 'WithdrawProposal') throw new Error(`parsed ${command.type} for WithdrawProposal`);
          return decideProposalWithdrawal(command, states);
        },
      });
      return { primary: steps.project, steps: [steps.programme, steps.project], resourceId: projectId };
    },
  });
}
