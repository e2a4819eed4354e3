import type { EventStore } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import type { Sql } from '@gongguan/platform/db';
import { rebuildProjections, type Projection } from '@gongguan/projections';
import type { RebuildJob } from './routes/schemas.js';

/** Rebuilds started by this process (the admin endpoint, or an outdated version at start-up). */
export class RebuildJobs {
  private readonly jobs = new Map<string, RebuildJob>();
  private readonly running = new Set<Promise<unknown>>();
  private readonly controller = new AbortController();
  private serial = 0;

  constructor(private readonly deps: { sql: Sql; store: EventStore; logger: Logger }) {}

  start(projections: readonly Projection[]): RebuildJob {
    const job: RebuildJob = {
      id: `rebuild-${++this.serial}`,
      projections: projections.map((p) => p.name),
      state: 'running',
      startedAt: new Date().toISOString(),
      events: 0,
      eventsPerSecond: 0,
      position: '',
      phase: 'building',
      error: null,
    };
    this.jobs.set(job.id, job);
    const run = rebuildProjections({
      ...this.deps,
      projections,
      signal: this.controller.signal,
      onProgress: (p) => {
        Object.assign(job, { events: p.events, eventsPerSecond: p.eventsPerSecond, position: p.position, phase: p.phase });
      },
    }).then(
      () => {
        job.state = 'done';
      },
      (err: unknown) => {
        job.state = 'failed';
        job.error = err instanceof Error ? err.message : String(err);
      },
    );
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    return job;
  }

  list(): RebuildJob[] {
    return [...this.jobs.values()];
  }

  get(id: string): RebuildJob | undefined {
    return this.jobs.get(id);
  }

  async close(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.running);
  }
}
