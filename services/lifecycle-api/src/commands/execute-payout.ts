import { parseCommand, type CommandType, type DomainCommand, type EventType } from '@gongguan/domain';
import type { CommandContext, StepResult } from './execute.js';
import { executeAcross as executeAcrossStreams } from './execute-across.js';
import type { Foldable } from './load.js';

/** One stream a cross-stream decision reads, decides on and appends to. */
export interface AcrossPart {
  aggregate: Foldable<unknown, unknown>;
  stream: string;
  /** The revision the client last saw of this stream (If-Match); a mismatch is 412, never retried. */
  ifMatch?: number | undefined;
}

export type DecidedEvent = { type: EventType; data: Record<string, unknown> };

export interface AcrossOptions {
  parts: readonly AcrossPart[];
  /** The command, validated like any other; its actor and time come from the context. */
  type: CommandType;
  data: Record<string, unknown>;
  step: string;
  /** The states of `parts`, in order → the events for each part, in order (an empty list guards that stream's revision). */
  decide(command: DomainCommand, states: readonly unknown[]): DecidedEvent[][];
  maxAttempts?: number;
}

/**
 * The money routes' form of {@link executeAcrossStreams}: parts in a list (the disbursement, then
 * the entitlement's stream, then any other), and a decision that reads the validated command. One
 * decision over every part, written in one atomic append with each stream's expected revision; the
 * part that carries If-Match answers 412 when it moved, any other change is decided again.
 */
export async function executeAcross(ctx: CommandContext, options: AcrossOptions): Promise<StepResult[]> {
  const command = parseCommand({ type: options.type, actor: ctx.actor, at: ctx.env.now().toISOString(), data: options.data });
  const guarded = options.parts.findIndex((part) => part.ifMatch !== undefined);
  if (options.parts.some((part, i) => part.ifMatch !== undefined && i !== guarded)) throw new Error(`${options.step}: If-Match names one stream`);
  // Parts are named by their place, so derived event ids stay `<seed>|<step>|<place>|<n>`.
  const name = (i: number) => String(i);
  const parts: Record<string, { aggregate: Foldable<unknown, unknown>; stream: string }> = {};
  options.parts.forEach((part, i) => (parts[name(i)] = { aggregate: part.aggregate, stream: part.stream }));
  const results = await executeAcrossStreams<Record<string, unknown>>(ctx, {
    parts,
    step: options.step,
    ifMatch: guarded >= 0 ? { part: name(guarded), revision: options.parts[guarded]!.ifMatch! } : undefined,
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    decide(states) {
      const decided = options.decide(command, options.parts.map((_, i) => states[name(i)]));
      const byName: Record<string, DecidedEvent[]> = {};
      options.parts.forEach((_, i) => (byName[name(i)] = decided[i] ?? []));
      return byName;
    },
  });
  return options.parts.map((_, i) => results[name(i)]!);
}
