import {
  annualSummary,
  bankReference,
  bureauRegistry,
  disbursement,
  programme,
  project,
  r2Ledger,
  r3Ledger,
  type Actor,
  type Decider,
} from '@gongguan/domain';
import type { World } from './world.js';

type AnyCommand = { type: string; actor: Actor; at: string; data: unknown };
type DataOf<C, K> = Extract<C, { type: K }> extends { data: infer D } ? D : never;

/** An instant on a business date, Shanghai time; `minute` keeps a day's commands apart. */
export const on = (date: string, minute = 0): string =>
  `${date}T${String(9 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00+08:00`;

/**
 * Issues commands to one aggregate kind through the world. A refusal is a bug in the generator
 * (it only asks for what the rules allow), except the codes the caller says it expects.
 */
function issuer<C extends AnyCommand, S, E extends { type: string; data: unknown }>(decider: Decider<C, S, E>, streamOf: (id: string) => string) {
  return <K extends C['type']>(
    world: World,
    id: string,
    type: K,
    data: DataOf<C, K>,
    actor: Actor,
    date: string,
    expected: readonly string[] = [],
  ): string | undefined => {
    const command = { type, data, actor, at: on(date) };
    // The caller picked `data` for `type`, so this is the command the decider expects.
    const result = world.exec(decider, streamOf(id), command as unknown as C, date);
    if (typeof result !== 'string') return undefined;
    if (expected.includes(result)) return result;
    throw new Error(`generator bug: ${type} on ${streamOf(id)} refused with ${result}`);
  };
}

export const onProgramme = issuer(programme.decider, programme.streamName);
export const onProject = issuer(project.decider, project.streamName);
export const onDisbursement = issuer(disbursement.decider, disbursement.streamName);
export const onBankReference = issuer(bankReference.decider, bankReference.streamName);
export const onR2Ledger = issuer(r2Ledger.decider, (id) => id);
export const onR3Ledger = issuer(r3Ledger.decider, (id) => id);
export const onBureauRegistry = issuer(bureauRegistry.decider, () => bureauRegistry.streamName());
export const onAnnualSummary = issuer(annualSummary.decider, (id) => id);
