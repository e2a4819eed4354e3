import { createHash } from 'node:crypto';
import { EVIDENCE_EVENT_TYPES } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import { appError } from '@gongguan/platform';
import type { SqlExecutor } from '@gongguan/platform/db';

/** A file an evidence event of the bundle records. */
export interface RecordedFile {
  sha256: string;
  bytes: number;
  mediaType: string;
  /** The names it was attached under (the same bytes may be attached twice, under two names). */
  names: string[];
}

/** An evidence file as the bundle carries it: base64 of its bytes. */
export interface CarriedFile {
  sha256: string;
  bytes: number;
  mediaType: string;
  base64: string;
}

const evidenceTypes = new Set(EVIDENCE_EVENT_TYPES);

/** Every distinct file the evidence events among `events` record, by SHA-256, in the order first recorded. */
export function recordedFiles(events: readonly RecordedEvent[]): RecordedFile[] {
  const files = new Map<string, RecordedFile>();
  for (const e of events) {
    if (!evidenceTypes.has(e.type)) continue;
    const { sha256, size, mediaType, name } = e.data as { sha256: string; size: number; mediaType: string; name: string };
    const file = files.get(sha256);
    if (file === undefined) files.set(sha256, { sha256, bytes: size, mediaType, names: [name] });
    else if (!file.names.includes(name)) file.names.push(name);
  }
  return [...files.values()];
}

/**
 * The bytes of `files`, read from the lifecycle API's blob table (`lifecycle.evidence_blobs`: the
 * same database as this service's, in the all-in-one and in split mode alike) and hashed again:
 * a bundle never carries a file that is not what its event records. More than `maxBytes` in all is
 * refused (413) before any is read.
 */
export async function carriedFiles(sql: SqlExecutor, files: readonly RecordedFile[], maxBytes: number): Promise<CarriedFile[]> {
  const total = files.reduce((sum, f) => sum + f.bytes, 0);
  if (total > maxBytes) {
    throw appError('PAYLOAD_TOO_LARGE', `证明文件共 ${total} 字节，超过每个审计包 ${maxBytes} 字节的上限 (the bundle's ${files.length} evidence file(s) hold ${total} bytes, more than AUDIT_BUNDLE_EVIDENCE_MAX_BYTES = ${maxBytes}; export without ?evidence=true and download the files one by one)`, {
      extra: { evidenceBytes: total, maxBytes },
    });
  }
  const carried: CarriedFile[] = [];
  for (const file of files) {
    const { rows } = await sql.query<{ bytes: unknown }>('select bytes from lifecycle.evidence_blobs where sha256 = $1', [file.sha256]);
    const raw = rows[0]?.bytes;
    const bytes = raw instanceof Uint8Array ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
    if (bytes === undefined || bytes.length !== file.bytes || createHash('sha256').update(bytes).digest('hex') !== file.sha256) {
      throw appError('INTERNAL', `evidence file ${file.sha256} is ${bytes === undefined ? 'missing from' : 'not what its event records in'} lifecycle.evidence_blobs: no bundle can carry it`);
    }
    carried.push({ sha256: file.sha256, bytes: file.bytes, mediaType: file.mediaType, base64: bytes.toString('base64') });
  }
  return carried;
}
