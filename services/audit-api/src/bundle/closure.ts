import { bankReference, disbursement, entitlementStream, EntitlementRef, LEGACY_BUREAU_CODE, ledgerOf, programme } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import { bureauOfFirst } from '../bureau/bureau-scope.js';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const isProject = (stream: string) => stream.startsWith('project-');

/**
 * The streams one event makes a bundle depend on (the closure rule, service README): the money
 * streams it names, never another project. A project stream names its programme (the policy and
 * quota), its disbursements, its R2 ledgers and the bank references of its payments; a
 * disbursement names its entitlement's ledger and its bank reference (and a corrected one, both
 * the wrong and the right); a ledger names every
 * disbursement claiming its entries and the bank references of the payments it assessed; a
 * bank reference names the disbursement that claimed it. Programme streams name nothing.
 * `projectBureau` is the bureau of the event's project stream (its `ProjectSubmitted.bureauCode`):
 * a payment is assessed on that bureau's ledger.
 */
export function referencedStreams(event: RecordedEvent, projectBureau: string = LEGACY_BUREAU_CODE): string[] {
  if (event.stream.startsWith('programme-')) return [];
  const d = event.data;
  const out: string[] = [];
  const disbursementId = str(d.disbursementId);
  if (disbursementId) out.push(disbursement.streamName(disbursementId));
  for (const ref of [str(d.bankReference), str(d.originalBankReference)]) if (ref) out.push(bankReference.streamName(ref));
  // A corrected bank reference (a money correction of a payment or a disbursement): the one released and the one claimed.
  const correction = d.correction as { bankReference?: unknown; previousBankReference?: unknown } | undefined;
  for (const ref of [str(correction?.bankReference), str(correction?.previousBankReference)]) if (ref) out.push(bankReference.streamName(ref));
  const ledgerStream = str(d.ledgerStream);
  if (ledgerStream) out.push(ledgerStream);
  if (isProject(event.stream)) {
    const selection = d.selection as { programmeId?: unknown } | undefined;
    for (const id of [str(d.programmeId), str(selection?.programmeId)]) if (id) out.push(programme.streamName(id));
    const code = str(d.enterpriseCreditCode);
    const paidOn = str(d.paidOn);
    // The SubsidyAssessmentRecorded written with a payment names its ledger too; a payment alone (left pending
    // assessment, or assessed but not yet recorded back) names the ledger of its project's bureau (domain ledgerOf).
    if (event.type === 'ContractPaymentConfirmed' && code && paidOn) out.push(ledgerOf({ enterpriseCreditCode: code, paidOn }, projectBureau));
  }
  if (event.type === 'DisbursementRequested') {
    const ref = EntitlementRef.safeParse(d.entitlement);
    // R1 is the project's own stream: a disbursement never pulls a project in.
    if (ref.success && ref.data.rule !== 'R1') out.push(entitlementStream(ref.data));
  }
  if (event.type === 'BankReferenceClaimed') {
    const claimant = d.claimant as { kind?: unknown; id?: unknown } | undefined;
    const id = str(claimant?.id);
    if (claimant?.kind === 'disbursement' && id) out.push(disbursement.streamName(id));
  }
  return out.filter((s) => !isProject(s));
}

/**
 * Every stream reachable from `seeds` by {@link referencedStreams}, each read whole by `read`
 * (which cuts it at the tree head and answers [] for a stream with no event in that tree: such a
 * stream is not carried). Returns the streams read, with their events in revision order.
 */
export async function streamClosure(seeds: readonly string[], read: (stream: string) => Promise<RecordedEvent[]>): Promise<Map<string, RecordedEvent[]>> {
  const carried = new Map<string, RecordedEvent[]>();
  const seen = new Set<string>();
  const todo = [...seeds];
  for (let stream = todo.pop(); stream !== undefined; stream = todo.pop()) {
    if (seen.has(stream)) continue;
    seen.add(stream);
    const events = await read(stream);
    if (events.length === 0) continue;
    carried.set(stream, events);
    const bureau = isProject(stream) ? bureauOfFirst(events[0]) : LEGACY_BUREAU_CODE;
    for (const e of events) for (const next of referencedStreams(e, bureau)) if (!seen.has(next)) todo.push(next);
  }
  return carried;
}
