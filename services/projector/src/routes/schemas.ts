import { z } from 'zod';

export const EventFailureSchema = z
  .object({
    eventId: z.string(),
    stream: z.string(),
    revision: z.number().int(),
    type: z.string(),
    position: z.string(),
    kind: z.enum(['unknown-type', 'malformed', 'handler', 'write']).optional().meta({ description: 'Why it stopped; absent for a stop recorded by an older version' }),
    message: z.string(),
  })
  .meta({ description: 'The event a projection stopped at, and why' });

export const ProjectionStatusSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    version: z.number().int(),
    generation: z.number().int(),
    status: z.enum(['live', 'failed', 'outdated']),
    position: z.string().meta({ description: 'Checkpoint: every event up to this position is applied' }),
    eventsApplied: z.number().int(),
    error: EventFailureSchema.nullable(),
    rebuilding: z
      .object({ generation: z.number().int(), position: z.string(), events: z.number().int(), startedAt: z.string() })
      .nullable()
      .meta({ description: 'A rebuild in progress into a new generation, with its progress' }),
  })
  .meta({
    example: {
      name: 'projects',
      description: 'programmes, project status, milestone calendar, rectifications',
      version: 1,
      generation: 2,
      status: 'live',
      position: '00000000000002f1-0000000000000007',
      eventsApplied: 18234,
      error: null,
      rebuilding: null,
    },
  });

export const RebuildRequestSchema = z.strictObject({
  projections: z.array(z.string().min(1)).min(1).optional().meta({ description: 'Which projections; all when omitted' }),
});

export const RebuildJobSchema = z
  .object({
    id: z.string(),
    projections: z.array(z.string()),
    state: z.enum(['running', 'done', 'failed']),
    startedAt: z.string(),
    events: z.number().int(),
    eventsPerSecond: z.number(),
    position: z.string(),
    phase: z.string(),
    error: z.string().nullable(),
  })
  .meta({
    example: {
      id: 'rebuild-1',
      projections: ['projects', 'money', 'activity'],
      state: 'running',
      startedAt: '2026-11-22T10:00:00.000Z',
      events: 125000,
      eventsPerSecond: 21000,
      position: '00000000000002f1-0000000000000007',
      phase: 'building',
      error: null,
    },
  });
export type RebuildJob = z.infer<typeof RebuildJobSchema>;
