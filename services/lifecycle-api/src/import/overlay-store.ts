import { appError } from '@gongguan/platform';
import {
  concurrencyError,
  positionFromParts,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
} from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';

/**
 * An event store that reads through to `base` and keeps every append in memory: the dry run of an
 * import decides every command of the file, each on the states the earlier ones would leave, and
 * writes nothing. Only what commands use is served (reading and appending streams); the global
 * log is not.
 */
export class OverlayStore implements EventStore {
  readonly capabilities = { atomicMultiStream: true };
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly ids = new Set<string>();
  private sequence = 0n;

  constructor(
    private readonly base: EventStore,
    private readonly clock: () => Date,
  ) {}

  /** Events appended to the overlay (never to the base). */
  get appended(): number {
    return Number(this.sequence);
  }

  private async events(stream: string): Promise<RecordedEvent[]> {
    let events = this.streams.get(stream);
    if (events) return events;
    try {
      events = await this.base.readStream(stream);
    } catch (err) {
      if (!(isAppError(err) && err.code === 'STREAM_NOT_FOUND')) throw err;
      events = [];
    }
    this.streams.set(stream, events);
    return events;
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const all = await this.events(stream);
    if (all.length === 0) throw appError('STREAM_NOT_FOUND', `stream ${stream} has no events`, { extra: { stream } });
    const from = Number(options.fromRevision ?? 0);
    const to = options.toRevision === undefined ? Infinity : Number(options.toRevision);
    let out = all.filter((e) => e.revision >= from && e.revision <= to);
    if (options.direction === 'backwards') out = out.reverse();
    return options.limit === undefined ? out : out.slice(0, options.limit);
  }

  async append(stream: string, events: readonly EventToAppend[], options: AppendOptions): Promise<AppendResult> {
    const [result] = await this.appendMulti([{ stream, events, expectedRevision: options.expectedRevision }]);
    return result!;
  }

  async appendMulti(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const current = await Promise.all(appends.map((a) => this.events(a.stream)));
    appends.forEach((a, i) => checkExpected(a.stream, a.expectedRevision, current[i]!.length - 1));
    for (const a of appends) {
      const clash = a.events.filter((e) => this.ids.has(e.id));
      if (clash.length > 0) throw appError('DUPLICATE_EVENT_ID', `events ${clash.map((e) => e.id).join(', ')} already exist`, { extra: { stream: a.stream } });
    }
    const recordedAt = this.clock().toISOString();
    return appends.map((a, i) => {
      const list = current[i]!;
      this.sequence++;
      const position = positionFromParts(1n << 40n, this.sequence);
      for (const e of a.events) {
        this.ids.add(e.id);
        list.push({
          id: e.id,
          stream: a.stream,
          revision: list.length,
          position,
          type: e.type,
          schemaVersion: e.schemaVersion,
          data: JSON.parse(JSON.stringify(e.data)) as JsonObject,
          metadata: { ...(JSON.parse(JSON.stringify(e.metadata)) as RecordedEvent['metadata']), recordedAt, causationId: e.metadata.causationId ?? null },
          prevHash: '',
          hash: '',
        });
      }
      return { nextRevision: list.length - 1, position };
    });
  }

  readAll(): never {
    throw new Error('the dry-run overlay serves streams only');
  }
  subscribe(): never {
    throw new Error('the dry-run overlay serves streams only');
  }
  headPosition(): never {
    throw new Error('the dry-run overlay serves streams only');
  }
  lastPosition(): never {
    throw new Error('the dry-run overlay serves streams only');
  }
  async close(): Promise<void> {}
}

function checkExpected(stream: string, expected: ExpectedRevision, actual: number): void {
  const ok =
    expected === 'any' ||
    (expected === 'no_stream' && actual < 0) ||
    (expected === 'stream_exists' && actual >= 0) ||
    ((typeof expected === 'number' || typeof expected === 'bigint') && Number(expected) === actual);
  if (!ok) throw concurrencyError(stream, expected, actual < 0 ? undefined : actual);
}
