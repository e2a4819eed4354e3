import { createHash } from 'node:crypto';
import type { Sql } from '@gongguan/platform/db';

export interface StoredResponse {
  statusCode: number;
  body: string;
  location: string | null;
  etag: string | null;
}

export type Claim =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-progress'; retryAfterSeconds: number }
  /** A previous attempt stopped without answering (a crash): this request takes over. */
  | { kind: 'resume' };

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256').update(`${method} ${path}\n`).update(JSON.stringify(body ?? null)).digest('hex');
}

/** The idempotency keys table: claim a key, then complete or release it. */
export function idempotencyStore(sql: Sql, leaseSeconds = 10) {
  return {
    async claim(subject: string, key: string, hash: string): Promise<Claim> {
      const inserted = await sql.query(
        `insert into lifecycle.idempotency_keys (subject, key, request_hash, state, locked_until)
         values ($1, $2, $3, 'pending', now() + make_interval(secs => $4))
         on conflict do nothing`,
        [subject, key, hash, leaseSeconds],
      );
      if (inserted.rowCount === 1) return { kind: 'new' };
      const { rows } = await sql.query<{
        request_hash: string;
        state: string;
        status_code: number | null;
        response_body: string | null;
        location: string | null;
        etag: string | null;
        wait: number;
      }>(
        `select request_hash, state, status_code, response_body, location, etag,
                greatest(0, ceil(extract(epoch from locked_until - now())))::int as wait
           from lifecycle.idempotency_keys where subject = $1 and key = $2`,
        [subject, key],
      );
      const row = rows[0];
      if (!row) return this.claim(subject, key, hash);
      if (row.request_hash !== hash) return { kind: 'mismatch' };
      if (row.state === 'done') {
        return {
          kind: 'replay',
          response: { statusCode: row.status_code ?? 200, body: row.response_body ?? '', location: row.location, etag: row.etag },
        };
      }
      if (row.wait > 0) return { kind: 'in-progress', retryAfterSeconds: row.wait };
      // Take the expired lease over; only one of several racing retries wins the update.
      const taken = await sql.query(
        `update lifecycle.idempotency_keys set locked_until = now() + make_interval(secs => $3)
          where subject = $1 and key = $2 and state = 'pending' and locked_until <= now()`,
        [subject, key, leaseSeconds],
      );
      return taken.rowCount === 1 ? { kind: 'resume' } : { kind: 'in-progress', retryAfterSeconds: 1 };
    },

    async complete(subject: string, key: string, response: StoredResponse): Promise<void> {
      await sql.query(
        `update lifecycle.idempotency_keys
            set state = 'done', status_code = $3, response_body = $4, location = $5, etag = $6
          where subject = $1 and key = $2`,
        [subject, key, response.statusCode, response.body, response.location, response.etag],
      );
    },

    /**
     * Forgets keys created more than `retentionHours` ago: answered ones, and pending ones whose
     * lease ran out (a request that stopped and was never retried). Deletes in chunks of
     * `chunk` rows so no statement holds many locks; returns how many rows went. A retry after
     * that is a new request, and still writes nothing twice: its event ids derive from the key.
     */
    async purge(retentionHours: number, chunk = 1000): Promise<number> {
      let total = 0;
      for (;;) {
        const { rowCount } = await sql.query(
          `delete from lifecycle.idempotency_keys where (subject, key) in (
             select subject, key from lifecycle.idempotency_keys
              where created_at < now() - make_interval(hours => $1) and (state = 'done' or locked_until < now())
              limit $2)`,
          [retentionHours, chunk],
        );
        total += rowCount;
        if (rowCount < chunk) return total;
      }
    },

    /** Forgets a key whose request failed for a reason worth retrying (a 5xx, a conflict). */
    async release(subject: string, key: string): Promise<void> {
      await sql.query(`delete from lifecycle.idempotency_keys where subject = $1 and key = $2 and state = 'pending'`, [subject, key]);
    },
  };
}

export type IdempotencyStore = ReturnType<typeof idempotencyStore>;
