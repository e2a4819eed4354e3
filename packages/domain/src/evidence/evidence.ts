import { z } from 'zod';
import { domainError } from '../errors.js';
import type { Role } from '../roles.js';
import { Id, recorded } from '../values/common.js';
import { lineText } from '../values/text.js';

/**
 * Evidence files (issue 19): a document (PDF, image, Office file) attached to a project, one of its
 * milestones, one of its bank payments, its acceptance, or a disbursement. The bytes are stored
 * apart, content-addressed by their SHA-256; the event records the hash, name, size and type, so
 * the hash chain seals the document too.
 */

/** Lower-case hex SHA-256 of the file's bytes: its address in the blob store. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits (SHA-256)');

/** A media type as the server recognised it from the bytes (`type/subtype`, lower case). */
export const MediaType = z.string().regex(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/, 'must be a media type such as application/pdf');

/**
 * The file's name as its uploader gave it (Chinese names welcome): one line, no path separator,
 * not `.` or `..`, at most 255 characters.
 */
export const FileName = lineText(255).pipe(
  z
    .string()
    .min(1, '文件名不能为空 (the file name is empty)')
    .refine((s) => !/[/\\]/.test(s), '文件名不能包含 / 或 \\ (a file name has no path separator)')
    .refine((s) => s !== '.' && s !== '..', '文件名不能是 . 或 .. (not a file name)'),
);

/** What a file of a project is attached to. `id`: the milestone or payment id; the project id for `project` and `acceptance`. */
export const EvidenceTarget = z.strictObject({
  kind: z.enum(['project', 'milestone', 'payment', 'acceptance']),
  id: Id,
});
export type EvidenceTarget = z.infer<typeof EvidenceTarget>;

const fileFields = { evidenceId: Id, sha256: Sha256, name: FileName, size: z.int().min(1), mediaType: MediaType };
/** Events keep replaying whatever name they recorded. */
const RecordedFileName = z.string().min(1).max(255);
const recordedFileFields = { evidenceId: Id, sha256: Sha256, name: RecordedFileName, size: z.int().min(1), mediaType: MediaType };

export const evidenceCommandSchemas = {
  /** Attach a stored file to the project, a milestone, a bank payment or the acceptance. */
  AttachEvidence: z.strictObject({ ...fileFields, attachedTo: EvidenceTarget }),
} as const;

export const evidenceEventSchemas = {
  EvidenceAttached: z.strictObject({ ...recorded, projectId: Id, ...recordedFileFields, attachedTo: EvidenceTarget }),
} as const;

export const disbursementEvidenceCommandSchemas = {
  /** Attach a stored file (a bank slip, an invoice, an approval form) to a disbursement. */
  AttachDisbursementEvidence: z.strictObject(fileFields),
} as const;

export const disbursementEvidenceEventSchemas = {
  DisbursementEvidenceAttached: z.strictObject({ ...recorded, disbursementId: Id, ...recordedFileFields }),
} as const;

/** What evidence may be attached to: a project's targets, or a disbursement (its own stream). */
export type EvidenceKind = EvidenceTarget['kind'] | 'disbursement';

/** Evidence as a stream's state keeps it, by evidence id. */
export interface EvidenceRecord {
  readonly sha256: string;
  readonly name: string;
  readonly size: number;
  readonly mediaType: string;
  readonly attachedTo: { readonly kind: EvidenceKind; readonly id: string };
  readonly by: string;
  readonly at: string;
}

/**
 * Who attaches evidence of what: whoever records that kind of fact. The officer records the
 * project's facts, its milestones, its acceptance and its contracts' bank payments (which finance
 * reconciles, so finance may attach a payment's bank evidence too); finance records disbursements.
 */
export const evidenceRoles: Record<EvidenceKind, readonly Role[]> = {
  project: ['officer'],
  milestone: ['officer'],
  acceptance: ['officer'],
  payment: ['officer', 'finance'],
  disbursement: ['finance'],
};

/** Refuses a role that does not record facts of this kind. */
export function requireEvidenceRole(kind: EvidenceKind, role: Role): void {
  const allowed = evidenceRoles[kind];
  if (!allowed.includes(role)) {
    throw domainError('ROLE_NOT_ALLOWED', `${role} 不能为${kindLabel[kind]}附加证明文件 (the ${role} role may not attach evidence to a ${kind}; allowed: ${allowed.join(', ')})`, {
      role,
      kind,
    });
  }
}

const kindLabel: Record<EvidenceKind, string> = {
  project: '项目',
  milestone: '里程碑',
  acceptance: '验收',
  payment: '银行付款',
  disbursement: '拨付',
};

/**
 * An evidence id names one file for ever: the same id with the same file again is a no-op (a
 * retried upload), with another file or target a refusal.
 */
export function isRepeatOf(existing: EvidenceRecord | undefined, data: { sha256: string; name: string; attachedTo?: EvidenceTarget }, streamLabel: string, evidenceId: string): boolean {
  if (existing === undefined) return false;
  const sameTarget = data.attachedTo === undefined || (existing.attachedTo.kind === data.attachedTo.kind && existing.attachedTo.id === data.attachedTo.id);
  if (existing.sha256 === data.sha256 && existing.name === data.name && sameTarget) return true;
  throw domainError('ALREADY_EXISTS', `证明文件 ${evidenceId} 已存在，且内容不同 (evidence ${evidenceId} of ${streamLabel} already names another file)`, { evidenceId });
}

/** Every event type that records an evidence file (its data has `sha256`, `size`, `name`, `mediaType`). */
export const EVIDENCE_EVENT_TYPES: readonly string[] = [...Object.keys(evidenceEventSchemas), ...Object.keys(disbursementEvidenceEventSchemas)];
