import { currentSchemaVersion, isDomainError, type Actor, type Decider, type EventType } from '@gongguan/domain';
import type { EventToAppend, ExpectedRevision } from '@gongguan/event-store';
import type { Random } from './random.js';

/** One append the generator asks for: a stream, its new events and the revision it expects. */
export interface GeneratedAppend {
  stream: string;
  events: EventToAppend[];
  expectedRevision: ExpectedRevision;
  /**
   * Set on the appends of one flush that hold parts of a decision over several streams (an
   * approval within the quota, a contract payment, a payout…): all appends with the same group
   * go to the store together, in one atomic `appendMulti`, as the lifecycle API writes them.
   */
  group?: number;
}

interface StreamSlot {
  state: unknown;
  /** Revision of the last event already handed out to be appended; -1 for none. */
  revision: number;
  pending: EventToAppend[];
}

type AnyCommand = { type: string; actor: Actor; at: string; data: unknown };

/**
 * Runs commands through the domain's deciders, as the lifecycle API would: state per stream,
 * folded from the events the deciders returned, and the events buffered until `flush` hands them
 * out as appends with the right expected revisions. Every event is therefore one the domain
 * itself would have produced.
 */
export class World {
  private readonly streams = new Map<string, StreamSlot>();
  private readonly dirty = new Set<string>();
  /** Streams written together by one decision since the last flush (union-find parents). */
  private readonly together = new Map<string, string>();
  private groups = 0;
  private correlation = 0;
  eventCount = 0;

  constructor(private readonly random: Random) {}

  /** Decides `command` on `stream`; returns the events, or the domain error's code when it refuses. */
  exec<C extends AnyCommand, S, E extends { type: string; data: unknown }>(
    decider: Decider<C, S, E>,
    stream: string,
    command: C,
    effectiveDate?: string,
  ): E[] | string {
    let slot = this.streams.get(stream);
    if (slot === undefined) {
      slot = { state: decider.initialState, revision: -1, pending: [] };
      this.streams.set(stream, slot);
    }
    let events: E[];
    try {
      // The slot holds this decider's own state: streams are never shared between aggregates.
      events = decider.decide(command, slot.state as S);
    } catch (err) {
      if (isDomainError(err)) return err.code;
      throw err;
    }
    slot.state = events.reduce(decider.evolve, slot.state as S);
    const correlationId = `gen-${++this.correlation}`;
    for (const event of events) {
      slot.pending.push({
        id: this.random.uuid(),
        type: event.type,
        schemaVersion: currentSchemaVersion[event.type as EventType],
        data: event.data as Record<string, unknown>,
        metadata: {
          actorId: command.actor.id,
          actorRole: command.actor.role,
          correlationId,
          ...(effectiveDate === undefined ? {} : { effectiveDate }),
        },
      });
    }
    this.eventCount += events.length;
    if (events.length > 0) this.dirty.add(stream);
    return events;
  }

  /**
   * One decision over several streams (a disbursement and the entitlement it pays): `decide` gets
   * each stream's state and returns each stream's events, folded and buffered as `exec` does. The
   * lifecycle API appends such a decision atomically; the generator's appends come out per stream.
   */
  execAcross(
    parts: ReadonlyArray<{ decider: Pick<Decider<never, unknown, { type: string; data: unknown }>, 'evolve' | 'initialState'>; stream: string }>,
    decide: (states: unknown[]) => Array<Array<{ type: string; data: unknown }>>,
    actor: Actor,
    effectiveDate?: string,
  ): string | undefined {
    const slots = parts.map((part) => {
      let slot = this.streams.get(part.stream);
      if (slot === undefined) {
        slot = { state: part.decider.initialState, revision: -1, pending: [] };
        this.streams.set(part.stream, slot);
      }
      return slot;
    });
    let decided: Array<Array<{ type: string; data: unknown }>>;
    try {
      decided = decide(slots.map((slot) => slot.state));
    } catch (err) {
      if (isDomainError(err)) return err.code;
      throw err;
    }
    const correlationId = `gen-${++this.correlation}`;
    parts.forEach((part, i) => {
      const slot = slots[i]!;
      const events = decided[i] ?? [];
      slot.state = events.reduce((s, e) => part.decider.evolve(s, e), slot.state);
      for (const event of events) {
        slot.pending.push({
          id: this.random.uuid(),
          type: event.type,
          schemaVersion: currentSchemaVersion[event.type as EventType],
          data: event.data as Record<string, unknown>,
          metadata: { actorId: actor.id, actorRole: actor.role, correlationId, ...(effectiveDate === undefined ? {} : { effectiveDate }) },
        });
      }
      this.eventCount += events.length;
      if (events.length > 0) this.dirty.add(part.stream);
    });
    const written = parts.filter((_, i) => (decided[i]?.length ?? 0) > 0).map((part) => part.stream);
    for (const stream of written.slice(1)) this.join(written[0]!, stream);
    return undefined;
  }

  /**
   * Starts a stream from what is already stored: its folded state and the revision of its last
   * event, so the next decisions see it and their appends expect that revision.
   */
  preload(stream: string, state: unknown, revision: number): void {
    this.streams.set(stream, { state, revision, pending: [] });
  }

  /** The state of a stream as its decider folded it (or undefined before its first event). */
  state<S>(stream: string): S | undefined {
    return this.streams.get(stream)?.state as S | undefined;
  }

  private root(stream: string): string {
    let at = stream;
    for (let up = this.together.get(at); up !== undefined && up !== at; up = this.together.get(at)) at = up;
    return at;
  }

  private join(a: string, b: string): void {
    const [ra, rb] = [this.root(a), this.root(b)];
    this.together.set(ra, ra);
    if (ra !== rb) this.together.set(rb, ra);
  }

  /**
   * Hands out every buffered event, one append per stream; the streams that decisions since the
   * last flush wrote together share a `group` (to be appended atomically, together).
   */
  flush(): GeneratedAppend[] {
    const appends: GeneratedAppend[] = [];
    const groupOf = new Map<string, number>();
    for (const stream of this.dirty) {
      const slot = this.streams.get(stream);
      if (slot === undefined || slot.pending.length === 0) continue;
      const append: GeneratedAppend = { stream, events: slot.pending, expectedRevision: slot.revision < 0 ? 'no_stream' : slot.revision };
      if (this.together.has(stream)) {
        const root = this.root(stream);
        if (!groupOf.has(root)) groupOf.set(root, ++this.groups);
        append.group = groupOf.get(root);
      }
      appends.push(append);
      slot.revision += slot.pending.length;
      slot.pending = [];
    }
    this.dirty.clear();
    this.together.clear();
    return appends;
  }

  /** Forgets streams that will see no further command (finished projects), to bound memory. */
  forget(stream: string): void {
    const slot = this.streams.get(stream);
    if (slot !== undefined && slot.pending.length === 0) this.streams.delete(stream);
  }
}
