import { addDays, compareDates, type Actor } from '@gongguan/domain';
import type { Random } from './random.js';
import type { World } from './world.js';

/** What every part of a story needs: the world, the dice, the simulated "today", the people. */
export interface StoryContext {
  world: World;
  random: Random;
  /** The day the simulation stops: nothing after it has happened yet. */
  today: string;
  officers: readonly Actor[];
  approvers: readonly Actor[];
  finance: readonly Actor[];
  reviewers: ReadonlyArray<Actor & { employerCreditCode: string; name: string }>;
  /** Bank references are unique per generated province: its seed, then a serial number. */
  bankSerial: { n: number; prefix: string };
}

export const later = (ctx: StoryContext, date: string, min: number, max: number): string => addDays(date, ctx.random.int(min, max));
export const happened = (ctx: StoryContext, date: string): boolean => compareDates(date, ctx.today) <= 0;

/** Three different finance people: who requests, who approves, who records the bank evidence. */
export function financeTeam(ctx: StoryContext): [Actor, Actor, Actor] {
  const start = ctx.random.int(0, ctx.finance.length - 1);
  const at = (i: number): Actor => {
    const actor = ctx.finance[(start + i) % ctx.finance.length];
    if (actor === undefined) throw new Error('no finance staff');
    return actor;
  };
  return [at(0), at(1), at(2)];
}

export function bankReferenceFor(ctx: StoryContext, bank: string, date: string): string {
  ctx.bankSerial.n += 1;
  return `${bank}-${ctx.bankSerial.prefix}-${date.slice(0, 4)}${String(ctx.bankSerial.n).padStart(8, '0')}`;
}
