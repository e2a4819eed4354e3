import type { HttpClient } from './http-client.js';

export type AuditAggregate = 'project' | 'programme' | 'disbursement';

export interface AuditEventView {
  id: string;
  stream: string;
  revision: number;
  position: string;
  type: string;
  schemaVersion: number;
  data: Record<string, unknown>;
  metadata: { actorId: string; actorRole: string; correlationId: string; causationId: string | null; recordedAt: string; effectiveDate?: string; reason?: string; backRecorded?: { by: string; role: string } };
  prevHash: string;
  hash: string;
  /** Set on a correction: the event it corrects (stream and revision null when not among what was read). */
  corrects?: { eventId: string; type: string; stream: string | null; revision: number | null };
  /** Set on a corrected event: its corrections, in store order. */
  correctedBy?: CorrectionView[];
}

/** A correction as the audit API pairs it with its original. */
export interface CorrectionView {
  eventId: string;
  type: string;
  stream: string;
  revision: number;
  reason: string | null;
  by: { id: string; role: string };
  at: string;
}

/** A correction folded into a state: the values it changed, original and corrected. */
export interface StateCorrectionView {
  event: CorrectionView;
  corrects: { eventId: string; type: string; stream: string | null; revision: number | null };
  changes: Array<{ path: string; original: unknown; corrected: unknown }>;
}

export interface StoreVerificationView {
  ok: boolean;
  events: number;
  streams: number;
  treeHeads: { checked: number; latest: { treeSize: number; rootHash: string } | null };
  problemCount: number;
  problems: Array<{ kind: string; index: number; eventId: string | null; stream: string | null; revision: number | null; detail: string }>;
  firstBadEvent: StoreVerificationView['problems'][number] | null;
  durationMs: number;
}

export interface BundleView {
  manifest: { format: string; scope: { kind: string; id: string }; events: number; streams: number; eventsAfterTreeHead: number; treeHead: { treeSize: number; rootHash: string; keyId: string } };
  files: Record<string, string>;
  /** The evidence files' bytes, when asked for (`evidence: true`). */
  evidence?: Array<{ sha256: string; bytes: number; mediaType: string; base64: string }>;
}

const plural: Record<AuditAggregate, string> = { project: 'projects', programme: 'programmes', disbursement: 'disbursements' };
const enc = encodeURIComponent;

/** Typed calls of the audit API (`/v1/audit/...`) over the thin transport. */
export function createAuditClient(http: HttpClient) {
  return {
    streamEvents: async (stream: string, fromRevision = 0, limit = 1000) =>
      (await http.get<{ stream: string; events: AuditEventView[]; nextRevision: number | null }>(`/v1/audit/streams/${enc(stream)}/events`, { query: { fromRevision, limit } })).body,
    projectHistory: async (projectId: string) =>
      (await http.get<{ projectId: string; streams: string[]; events: AuditEventView[] }>(`/v1/audit/projects/${enc(projectId)}/history`)).body,
    state: async (kind: AuditAggregate, id: string, at: { asOf?: string; atRevision?: number } = {}) =>
      (await http.get<{ revision: number; eventCount: number; state: unknown; lastEvent: unknown; corrections: StateCorrectionView[] }>(`/v1/audit/${plural[kind]}/${enc(id)}/state`, { query: at })).body,
    diff: async (kind: AuditAggregate, id: string, from: string, to?: string) =>
      (
        await http.get<{
          from: unknown;
          to: unknown;
          changes: Array<{ path: string; before: unknown; after: unknown; changedBy: Array<{ type: string; revision: number; actorId: string; recordedAt: string; corrects?: { eventId: string; type: string } }> }>;
          corrections: StateCorrectionView[];
        }>(
          `/v1/audit/${plural[kind]}/${enc(id)}/diff`,
          { query: { from, to } },
        )
      ).body,
    verifyStream: async (stream: string) =>
      (await http.get<{ ok: boolean; count: number; firstBadEvent?: { eventId: string | null; revision: number; problem: string; detail: string } }>(`/v1/audit/streams/${enc(stream)}/verify`)).body,
    verifyStore: async (signal?: AbortSignal) => (await http.get<StoreVerificationView>('/v1/audit/verify', signal ? { signal } : {})).body,
    bundle: async (kind: 'project' | 'programme' | 'ledger', id: string, options: { evidence?: boolean } = {}) =>
      (await http.get<BundleView>(`/v1/audit/${kind}s/${enc(id)}/bundle`, options.evidence ? { query: { evidence: 'true' } } : {})).body,
    publicKey: async () => (await http.get<{ keyId: string; publicKeyPem: string }>('/v1/audit/public-key')).body,
  };
}

export type AuditClient = ReturnType<typeof createAuditClient>;
