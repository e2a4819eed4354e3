import { programme, taizhouPolicy } from '@gongguan/domain';
import type { HttpApp } from '@gongguan/platform';
import type { CommandDeps } from './command-route.js';
import { simpleCommand, type SimpleCommand } from './simple-command.js';

const G = '/v1/programmes/:programmeId';
const toProgramme = (p: Record<string, string>) => programme.streamName(p.programmeId!);
const ofProgramme = (p: Record<string, string>) => ({ kind: 'programme' as const, id: p.programmeId! });

export const programmeCommands: SimpleCommand[] = [
  {
    url: '/v1/programmes',
    type: 'LaunchProgramme',
    aggregate: 'programme',
    summary: "Launch a programme; its policy (Taizhou's by default) is fixed from here on",
    description: 'The programme belongs to the caller\'s bureau (the token\'s `bureau`): a registered bureau that was not merged, or the legacy bureau 331000 (403 BUREAU_NOT_REGISTERED, BUREAU_MERGED otherwise).',
    tags: ['programmes'],
    // An id already used by another bureau's programme answers as that programme would (404 or 403), never "exists".
    resource: (_p, b) => ({ kind: 'programme', id: String(b.programmeId) }),
    callerBureauField: 'bureauCode',
    stream: (_p, b) => programme.streamName(String(b.programmeId)),
    resourceId: (_p, b) => String(b.programmeId),
    location: (id) => `/v1/programmes/${id}`,
    example: {
      programmeId: 'tz-2018',
      name: 'Taizhou 2018 ten major common-technology breakthrough projects',
      bureau: 'Taizhou Municipal Science and Technology Bureau',
      quota: 10,
      focusIndustries: ['pumps', 'moulds', 'smart toilets'],
      policy: taizhouPolicy,
    },
  },
  { url: `${G}/solicitation/opening`, type: 'OpenSolicitation', aggregate: 'programme', stream: toProgramme, resource: ofProgramme, summary: 'Open the solicitation (征集) window', tags: ['programmes'], example: { opensOn: '2018-05-01', closesOn: '2018-07-31' } },
  { url: `${G}/solicitation/closing`, type: 'CloseSolicitation', aggregate: 'programme', stream: toProgramme, resource: ofProgramme, summary: 'Close the solicitation window', tags: ['programmes'], example: { closedOn: '2018-07-31' } },
  { url: `${G}/focus-industries`, type: 'SetFocusIndustries', aggregate: 'programme', stream: toProgramme, resource: ofProgramme, summary: 'Set the focus industries', tags: ['programmes'], example: { focusIndustries: ['pumps', 'moulds', 'smart toilets', 'auto parts'] } },
];

export function registerProgrammeCommands(app: HttpApp, deps: CommandDeps): void {
  for (const def of programmeCommands) simpleCommand(app, deps, def);
}
