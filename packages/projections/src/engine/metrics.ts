import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The projector's Prometheus metrics. */
export interface ProjectorMetrics {
  registry: Registry;
  events: Counter<'projection'>;
  failed: Gauge<'projection'>;
  failures: Counter<'projection'>;
  batchSeconds: Histogram;
  lastCommit: Gauge;
}

export function projectorMetrics(registry: Registry = new Registry(), prefix = 'gongguan_'): ProjectorMetrics {
  return {
    registry,
    events: new Counter({
      name: `${prefix}projection_events_total`,
      help: 'Events applied to each projection',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    failed: new Gauge({
      name: `${prefix}projection_failed`,
      help: '1 while a projection is stopped at an event it cannot apply',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    failures: new Counter({
      name: `${prefix}projection_failures_total`,
      help: 'Times a projection stopped at an unknown or malformed event, or a handler failed',
      labelNames: ['projection'] as const,
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: `${prefix}projection_batch_seconds`,
      help: 'Time to apply one batch and commit it with the checkpoints',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    lastCommit: new Gauge({
      name: `${prefix}projection_last_commit_timestamp_seconds`,
      help: 'When the projector last committed a batch',
      registers: [registry],
    }),
  };
}
