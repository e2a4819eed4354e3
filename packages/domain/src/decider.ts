import { z } from 'zod';
import type { Actor } from './values/common.js';
import { Actor as ActorSchema } from './values/common.js';
import { IsoInstant } from './values/calendar.js';

/**
 * A decider is three things: what a command decides given the state, how an event changes the
 * state, and the state before any event. The application folds a stream with `evolve` from
 * `initialState`, calls `decide`, and appends the result with the stream's expected revision.
 */
export interface Decider<Command, State, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  readonly initialState: State;
}

type SchemaMap = Record<string, z.ZodType>;

/**
 * A command: its type, the data the user supplied, and who sent it and when (both supplied by the
 * HTTP layer from the token and the server clock).
 */
export type CommandsOf<M extends SchemaMap> = {
  [K in keyof M & string]: { type: K; actor: Actor; at: string; data: z.output<M[K]> };
}[keyof M & string];

/** An event as the domain produces and consumes it; the schema version lives beside it in the store. */
export type EventsOf<M extends SchemaMap> = {
  [K in keyof M & string]: { type: K; data: z.output<M[K]> };
}[keyof M & string];

/** The zod schema of a whole command of the given type and data schema. */
export function commandSchema<K extends string, D extends z.ZodType>(type: K, data: D) {
  return z.strictObject({ type: z.literal(type), actor: ActorSchema, at: IsoInstant, data });
}
