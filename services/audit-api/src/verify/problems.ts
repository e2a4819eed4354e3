import { z } from 'zod';

export const ProblemKind = z.enum([
  'hash-mismatch',
  'prev-hash-mismatch',
  'revision-gap',
  'out-of-order',
  'malformed-hash',
  'not-as-sealed',
  'missing',
  'tree-head-malformed',
  'tree-head-unknown-key',
  'tree-head-key-validity',
  'tree-head-signature',
  'tree-head-size',
  'tree-head-mismatch',
  'tree-head-stream-heads',
  'witness-altered',
  'witness-incomplete',
]);
export type ProblemKind = z.infer<typeof ProblemKind>;

/**
 * One thing verification found wrong. `index` is the place in the log (store order) of the event
 * concerned; `eventId`/`stream`/`revision` name it as it is now, or as it was sealed where it is
 * gone (`missing`, `not-as-sealed`).
 */
export const VerificationProblem = z.object({
  kind: ProblemKind,
  index: z.number().int(),
  eventId: z.string().nullable(),
  stream: z.string().nullable(),
  revision: z.number().int().nullable(),
  detail: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
});
export type VerificationProblem = z.infer<typeof VerificationProblem>;

/** The earliest problem in log order: the first bad event. */
export function firstProblem(problems: readonly VerificationProblem[]): VerificationProblem | null {
  let first: VerificationProblem | null = null;
  for (const p of problems) if (first === null || p.index < first.index) first = p;
  return first;
}
