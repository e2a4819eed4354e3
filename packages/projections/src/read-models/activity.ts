import { LEGACY_BUREAU_CODE, type DomainEvent } from '@gongguan/domain';
import { domainStreams, type Projection } from '../projection.js';
import { table } from '../table.js';
import type { RowStore } from '../engine/row-store.js';
import { bureauOf, bureaus, disbursementBureau, ownerOf, owners, registryHandlers, setOwner } from './bureaus.js';

export interface ActivityRow {
  position: string;
  event_id: string;
  stream: string;
  revision: number;
  type: string;
  actor_id: string;
  actor_role: string;
  recorded_at: string;
  effective_date: string | null;
  /** Who entered the fact after it happened (back-recording, an import); null when it was recorded live. */
  back_recorded_by: string | null;
  project_id: string | null;
  programme_id: string | null;
  summary: string;
  /** The bureau the event's subject belongs to (its programme's, project's, disbursement's or ledger's; a registry event: the bureau it names). */
  bureau_code: string;
  bureau_path: string;
}

export const activity = table<ActivityRow>({
  name: 'activity',
  key: 'position',
  appendOnly: true,
  indexes: ['project_id, position', 'actor_id, position', 'bureau_path text_pattern_ops, position'],
  scope: 'bureau_path',
  columns: {
    position: 'text',
    event_id: 'text',
    stream: 'text',
    revision: 'integer',
    type: 'text',
    actor_id: 'text',
    actor_role: 'text',
    recorded_at: 'timestamptz',
    effective_date: 'text',
    back_recorded_by: 'text',
    project_id: 'text',
    programme_id: 'text',
    summary: 'text',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});

function field(data: object, name: string): string | null {
  const value: unknown = (data as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

/** "MilestoneAccepted" → "milestone accepted", followed by what it concerns. */
export function summarise(event: DomainEvent): string {
  const words = event.type.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const d = event.data as object;
  const subject = ['milestoneId', 'rectificationId', 'contractId', 'paymentId', 'disbursementId', 'transactionId', 'changeId', 'objectionId', 'reviewerId', 'bankReference', 'correctionId']
    .map((name) => field(d, name))
    .find((value) => value !== null);
  const owner = field(d, 'projectId') ?? field(d, 'programmeId') ?? field(d, 'creditCode');
  const amount = (d as { amount?: unknown }).amount;
  return [words, subject, owner === null ? null : `(${owner})`, typeof amount === 'number' ? `${amount} fen` : null]
    .filter((part) => part !== null)
    .join(' ');
}

/**
 * The bureau an event belongs to: a registry event, the bureau it names; one that starts a
 * programme, project or ledger (or a city's annual summary), the bureau it carries (upcast: the legacy bureau's for facts from
 * before bureaus); a bank reference claim, its claimant's (the disbursement's, or the project's of a
 * contract payment); any later one, the bureau of its ledger stream, disbursement, project or
 * programme (the owners the handlers recorded).
 */
function eventBureau(rows: RowStore, event: DomainEvent, stream: string): string {
  switch (event.type) {
    case 'BureauRegistered':
    case 'BureauRenamed':
    case 'BureauMerged':
      return event.data.code;
    case 'ProgrammeLaunched':
    case 'ProjectSubmitted':
    case 'R2LedgerOpened':
    case 'R3LedgerOpened':
    case 'AnnualSummarySubmitted':
      return event.data.bureauCode;
    case 'BankReferenceClaimed':
    case 'BankReferenceReleased':
      // A bank reference is its claimant's: a disbursement, or a contract payment `<project>.<payment>` (ids may hold dots: each split tried).
      return claimantBureau(rows, event.data.claimant) ?? LEGACY_BUREAU_CODE;
    default: {
      const data = event.data as object;
      return (
        ownerOf(rows, 'ledger', stream) ??
        ownerOf(rows, 'disbursement', field(data, 'disbursementId')) ??
        ownerOf(rows, 'project', field(data, 'projectId')) ??
        ownerOf(rows, 'programme', field(data, 'programmeId')) ??
        LEGACY_BUREAU_CODE
      );
    }
  }
}

function claimantBureau(rows: RowStore, claimant: { kind: 'disbursement' | 'contract_payment'; id: string }): string | undefined {
  if (claimant.kind === 'disbursement') return ownerOf(rows, 'disbursement', claimant.id);
  for (let dot = claimant.id.indexOf('.'); dot > 0; dot = claimant.id.indexOf('.', dot + 1)) {
    const owner = ownerOf(rows, 'project', claimant.id.slice(0, dot));
    if (owner !== undefined) return owner;
  }
  return undefined;
}

/** Who did what, when: one row per event of every type, newest first by position. */
export const activityProjection: Projection = {
  name: 'activity',
  // 2: bureau_code and bureau_path (issue 18); 3: a bank reference claim is its claimant's bureau's (was the legacy bureau's).
  // 4: back_recorded_by (who entered a back-recorded fact).
  // 5: a released bank reference is its claimant's bureau's too (corrections, issue 19), and a correction's summary names it.
  version: 5,
  description: 'activity feed: who did what, when',
  tables: [activity, bureaus, owners],
  // Domain events only: the audit service's tree heads are not something a person did.
  streams: Object.values(domainStreams),
  handlers: {
    ...registryHandlers,
    ProgrammeLaunched: (rows, d) => setOwner(rows, 'programme', d.programmeId, d.bureauCode),
    ProjectSubmitted: (rows, d) => setOwner(rows, 'project', d.projectId, d.bureauCode),
    DisbursementRequested: (rows, d) => setOwner(rows, 'disbursement', d.disbursementId, disbursementBureau(rows, d.projectId, d.entitlement)),
    // A ledger's first event names its bureau (v1: the legacy bureau, by the upcaster); every later event of the stream is that bureau's.
    R2LedgerOpened: (rows, d, e) => setOwner(rows, 'ledger', e.stream, d.bureauCode),
    R3LedgerOpened: (rows, d, e) => setOwner(rows, 'ledger', e.stream, d.bureauCode),
  },
  handlesAll: true,
  onAny: (rows, event, envelope) =>
    rows.insert(activity, {
      position: envelope.position,
      event_id: envelope.id,
      stream: envelope.stream,
      revision: envelope.revision,
      type: envelope.type,
      actor_id: envelope.metadata.actorId,
      actor_role: envelope.metadata.actorRole,
      recorded_at: envelope.metadata.recordedAt,
      effective_date: envelope.metadata.effectiveDate ?? null,
      back_recorded_by: envelope.metadata.backRecorded?.by ?? null,
      project_id: field(event.data, 'projectId'),
      programme_id: field(event.data, 'programmeId'),
      summary: summarise(event),
      ...bureauOf(rows, eventBureau(rows, event, envelope.stream)),
    }),
};
