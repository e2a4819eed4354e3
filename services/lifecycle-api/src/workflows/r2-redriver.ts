import { SYSTEM_BUREAU } from '../bureaus/access.js';
import { parsePosition, START_POSITION, type EventStore } from '@gongguan/event-store';
import type { Logger } from '@gongguan/platform';
import { isStorageUnreachable, type Sql } from '@gongguan/platform/db';
import { pendingSubsidyAssessments, project } from '@gongguan/domain';
import type { Environment } from '../commands/ids.js';
import { readAggregate } from '../commands/load.js';
import { assessContractPayment } from './r2-assessment.js';
import { effectiveEnvironment, type BackRecord } from '../commands/back-record.js';

const PROCESS = 'r2-assessment';
const WAKE_INTERVAL_MS = 250;
const ACTOR = { id: 'system:r2-assessment', role: 'finance' as const };

export interface RedriverOptions {
  store: EventStore;
  sql: Sql;
  env: Environment;
  logger: Logger;
  signal: AbortSignal;
}

/**
 * Completes every R2 assessment whose request stopped between the payment and the ledger: it
 * follows the store from its checkpoint and, for each confirmed or reversed payment, runs the
 * (idempotent) assessment step, if the project still shows it pending: a payment confirmed
 * with its assessment in one append (the route, the demo generator) is passed by, also on a
 * project closed since (which refuses every command). A step that keeps failing is logged and stays visibly pending on
 * the project (GET shows it; POST …/assessment re-drives it by hand).
 */
export async function runR2Redriver(options: RedriverOptions): Promise<void> {
  const { store, sql, logger, signal } = options;
  while (!signal.aborted) {
    try {
      const { rows } = await sql.query<{ position: string }>('select position from lifecycle.process_checkpoints where process = $1', [PROCESS]);
      const after = rows[0] ? parsePosition(rows[0].position) : START_POSITION;
      // The request that confirms a payment runs its assessment itself; this follower only
      // completes what a crash left pending, so it can read a quarter second behind instead of
      // once per append of anything.
      for await (const item of store.subscribe({ after, signal, minWakeIntervalMs: WAKE_INTERVAL_MS, filter: { eventTypes: ['ContractPaymentConfirmed', 'ContractPaymentReversed'] } })) {
        if (item.kind === 'caught-up') {
          logger.debug({ position: item.position }, 'R2 re-driver caught up');
          continue;
        }
        const { event } = item;
        const projectId = event.stream.slice('project-'.length);
        const paymentId = String(event.data.paymentId);
        const step = event.type === 'ContractPaymentConfirmed' ? 'payment' : 'reversal';
        // A back-recorded payment is assessed as of its own date and entered by the same person, as the request would have done.
        const at = typeof event.data.at === 'string' ? event.data.at : undefined;
        const backRecord = event.metadata.backRecorded && at ? { effectiveAt: at, ...event.metadata.backRecorded } : undefined;
        if (await isPending(store, projectId, paymentId, step)) {
          await assessWithRetries(options, { projectId, paymentId, step, correlationId: event.metadata.correlationId, causationId: event.id, backRecord });
        }
        await sql.query(
          `insert into lifecycle.process_checkpoints (process, position) values ($1, $2)
           on conflict (process) do update set position = excluded.position, updated_at = now()`,
          [PROCESS, event.position],
        );
      }
    } catch (err) {
      if (signal.aborted) return;
      logger.error({ err }, 'R2 re-driver stopped; restarting from its checkpoint in 1 s');
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Whether the project still waits for this step's assessment to be recorded back. */
async function isPending(store: EventStore, projectId: string, paymentId: string, step: 'payment' | 'reversal'): Promise<boolean> {
  const { state } = await readAggregate(store, project, project.streamName(projectId));
  return pendingSubsidyAssessments(state).some((p) => p.paymentId === paymentId && p.step === step);
}

async function assessWithRetries(
  options: RedriverOptions,
  job: { projectId: string; paymentId: string; step: 'payment' | 'reversal'; correlationId: string; causationId: string; backRecord: BackRecord | undefined },
): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await assessContractPayment(
        {
          store: options.store,
          env: job.backRecord ? effectiveEnvironment(options.env, job.backRecord.effectiveAt) : options.env,
          backRecord: job.backRecord,
          actor: ACTOR,
          correlationId: job.correlationId,
          causationId: job.causationId,
          bureau: SYSTEM_BUREAU,
        },
        job.projectId,
        job.paymentId,
        job.step,
      );
      return;
    } catch (err) {
      // The database is gone, not the step: follow again from the checkpoint rather than pass this payment by.
      if (isStorageUnreachable(err)) throw err;
      if (attempt === 3 || options.signal.aborted) {
        options.logger.error({ err, ...job }, 'R2 assessment failed; the payment stays pending on the project');
        return;
      }
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
