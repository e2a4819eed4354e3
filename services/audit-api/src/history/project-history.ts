import { bankReference, disbursement, project, r2Ledger } from '@gongguan/domain';
import { comparePositions, START_POSITION, type EventStore, type Position, type RecordedEvent } from '@gongguan/event-store';
import { isAppError } from '@gongguan/platform';
import { bureauOfFirst } from '../bureau/bureau-scope.js';

const PAGE = 5000;

async function readStreamOrEmpty(store: EventStore, stream: string): Promise<RecordedEvent[]> {
  try {
    return await store.readStream(stream);
  } catch (err) {
    if (isAppError(err) && err.code === 'STREAM_NOT_FOUND') return [];
    throw err;
  }
}

async function scan(store: EventStore, filter: { streamPrefixes: string[]; eventTypes: string[] }, keep: (e: RecordedEvent) => boolean): Promise<RecordedEvent[]> {
  const kept: RecordedEvent[] = [];
  let after: Position = START_POSITION;
  for (;;) {
    const page = await store.readAll({ after, limit: PAGE, filter });
    kept.push(...page.events.filter(keep));
    after = page.position;
    if (page.caughtUp || page.events.length === 0) return kept;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A project's whole story, in store order: its own stream, its disbursements (found by the
 * grant it was awarded and by every disbursement requested for it), the subsidy-ledger events
 * assessing its payments, and the bank-reference claims of its payments and disbursements.
 */
export async function projectHistory(store: EventStore, projectId: string): Promise<{ streams: string[]; events: RecordedEvent[] }> {
  const own = await store.readStream(project.streamName(projectId));
  const disbursementIds = new Set<string>();
  const paymentIds = new Set<string>();
  const ledgers = new Set<string>();
  const bankRefs = new Set<string>();
  // The project's bureau decides whose ledger assesses its payments (a submission before bureaus: the legacy bureau's).
  const bureauCode = bureauOfFirst(own[0]);
  for (const e of own) {
    const d = e.data;
    if (e.type === 'SelectionGrantAwarded' && str(d.disbursementId)) disbursementIds.add(d.disbursementId as string);
    if (e.type === 'SubsidyAssessmentRecorded' && str(d.ledgerStream)) ledgers.add(d.ledgerStream as string);
    if (e.type === 'ContractPaymentConfirmed') {
      if (str(d.paymentId)) paymentIds.add(d.paymentId as string);
      if (str(d.bankReference)) bankRefs.add(d.bankReference as string);
      const code = str(d.enterpriseCreditCode);
      const paidOn = str(d.paidOn);
      if (code && paidOn) ledgers.add(r2Ledger.streamName(bureauCode, code, Number(paidOn.slice(0, 4))));
    }
  }
  const requested = await scan(store, { streamPrefixes: ['disbursement-'], eventTypes: ['DisbursementRequested'] }, (e) => e.data.projectId === projectId);
  for (const e of requested) if (str(e.data.disbursementId)) disbursementIds.add(e.data.disbursementId as string);

  const related: RecordedEvent[] = [];
  for (const id of disbursementIds) {
    const events = await readStreamOrEmpty(store, disbursement.streamName(id));
    related.push(...events);
    for (const e of events) if (e.type === 'DisbursementPaid' && str(e.data.bankReference)) bankRefs.add(e.data.bankReference as string);
  }
  for (const ledger of ledgers) {
    const events = await readStreamOrEmpty(store, ledger);
    related.push(
      ...events.filter(
        (e) => (e.type === 'R2PaymentAssessed' && e.data.projectId === projectId) || (e.type === 'R2ReversalAssessed' && (e.data.projectId === undefined ? paymentIds.has(String(e.data.paymentId)) : e.data.projectId === projectId)),
      ),
    );
  }
  // A bank reference's stream holds its one claim, by the payment that named it: the contract
  // payment's claim names it `<project>.<payment>` (not the bare payment id), a disbursement's
  // claim its disbursement id, so the whole stream is taken rather than matched by claimant.
  for (const ref of bankRefs) related.push(...(await readStreamOrEmpty(store, bankReference.streamName(ref))));
  const events = [...own, ...related].sort((a, b) => comparePositions(a.position, b.position));
  const streams = [...new Set(events.map((e) => e.stream))];
  return { streams, events };
}

/**
 * The streams of every disbursement requested for one of `projectIds` (by the project it names, or
 * the R1/R2 entitlement it pays), in one scan: legacy disbursements name no entitlement, so no
 * ledger leads to them.
 */
export async function disbursementStreamsFor(store: EventStore, projectIds: ReadonlySet<string>): Promise<string[]> {
  const forProject = (e: RecordedEvent) => {
    const ref = e.data.entitlement as { projectId?: unknown } | null | undefined;
    return projectIds.has(String(e.data.projectId)) || projectIds.has(String(ref?.projectId));
  };
  const requested = await scan(store, { streamPrefixes: ['disbursement-'], eventTypes: ['DisbursementRequested'] }, forProject);
  return [...new Set(requested.map((e) => e.stream))];
}

/** Every project submitted to a programme, found by its `ProjectSubmitted` event. */
export async function programmeProjects(store: EventStore, programmeId: string): Promise<string[]> {
  const submitted = await scan(store, { streamPrefixes: ['project-'], eventTypes: ['ProjectSubmitted'] }, (e) => e.data.programmeId === programmeId);
  return [...new Set(submitted.map((e) => String(e.data.projectId)))];
}
