import { createHash } from 'node:crypto';
import type { SqlExecutor } from '@gongguan/platform/db';

/** Lower-case hex SHA-256 of some bytes: an evidence file's address. */
export const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** PostgreSQL's driver answers a bytea as a Buffer, PGlite as a Uint8Array: a Buffer either way, without a copy. */
export const asBuffer = (value: unknown): Buffer => {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new Error(`expected bytea, got ${typeof value}`);
};

export interface StoredBlob {
  sha256: string;
  bytes: Buffer;
  mediaType: string;
}

/**
 * The content-addressed store of evidence bytes (`lifecycle.evidence_blobs`, migration 003): the
 * same SQL on PostgreSQL and on PGlite (the embedded data dir). The same bytes are stored once.
 */
export function evidenceBlobStore(sql: SqlExecutor) {
  return {
    /** Stores the bytes under their SHA-256 (nothing when they are there already); answers the hash. */
    async put(bytes: Buffer, mediaType: string): Promise<string> {
      const sha256 = sha256Hex(bytes);
      await sql.query(
        `insert into lifecycle.evidence_blobs (sha256, bytes, size, media_type) values ($1, $2, $3, $4) on conflict (sha256) do nothing`,
        [sha256, bytes, bytes.length, mediaType],
      );
      return sha256;
    },
    async get(sha256: string): Promise<StoredBlob | undefined> {
      const { rows } = await sql.query<{ bytes: unknown; media_type: string }>(`select bytes, media_type from lifecycle.evidence_blobs where sha256 = $1`, [sha256]);
      const row = rows[0];
      return row === undefined ? undefined : { sha256, bytes: asBuffer(row.bytes), mediaType: row.media_type };
    },
  };
}
export type EvidenceBlobStore = ReturnType<typeof evidenceBlobStore>;
