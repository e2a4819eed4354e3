import type { Sql } from '@gongguan/platform/db';
import type { RowError } from './facts.js';

export type ImportStatus = 'validating' | 'invalid' | 'running' | 'done' | 'failed';

export interface ImportRecord {
  importId: string;
  bureau: string;
  fileName: string;
  requestedBy: string;
  status: ImportStatus;
  total: number;
  done: number;
  errors: RowError[];
  /** Infrastructure failure of a run (the rows are fine; run it again). */
  failure: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

/** The import ledger (migrations/004_imports.sql): who imported what, and which facts are done. */
export function importLedger(sql: Sql, leaseSeconds = 60) {
  return {
    leaseSeconds,

    /**
     * Takes the import on: a new one, one that failed or was found invalid before, or one whose run
     * stopped without finishing (its lease ran out). Null: it is running elsewhere, or done.
     */
    async claim(input: { importId: string; bureau: string; fileName: string; requestedBy: string; total: number }): Promise<'new' | 'resume' | null> {
      const inserted = await sql.query(
        `insert into lifecycle.imports (import_id, bureau, file_name, requested_by, status, total, lease_until)
         values ($1, $2, $3, $4, 'validating', $5, now() + make_interval(secs => $6))
         on conflict do nothing`,
        [input.importId, input.bureau, input.fileName, input.requestedBy, input.total, leaseSeconds],
      );
      if (inserted.rowCount === 1) return 'new';
      const taken = await sql.query(
        `update lifecycle.imports
            set status = 'validating', errors = null, requested_by = $2, lease_until = now() + make_interval(secs => $3), updated_at = now(), finished_at = null
          where import_id = $1 and (status in ('invalid', 'failed') or (status in ('validating', 'running') and lease_until <= now()))`,
        [input.importId, input.requestedBy, leaseSeconds],
      );
      return taken.rowCount === 1 ? 'resume' : null;
    },

    async setStatus(importId: string, status: ImportStatus, detail: { errors?: RowError[]; failure?: string } = {}): Promise<void> {
      const finished = status === 'done' || status === 'invalid' || status === 'failed';
      const errors = detail.errors ? JSON.stringify(detail.errors) : detail.failure ? JSON.stringify({ failure: detail.failure }) : null;
      await sql.query(
        `update lifecycle.imports
            set status = $2, errors = $3, updated_at = now(), lease_until = now() + make_interval(secs => $4),
                finished_at = case when $5 then now() else null end
          where import_id = $1`,
        [importId, status, errors, leaseSeconds, finished],
      );
    },

    /** The facts of this import already done (by their place in the sorted fact list). */
    async doneFacts(importId: string): Promise<Set<number>> {
      const { rows } = await sql.query<{ seq: number }>('select seq from lifecycle.import_facts where import_id = $1', [importId]);
      return new Set(rows.map((r) => Number(r.seq)));
    },

    /** One fact done; renews the lease. */
    async factDone(importId: string, fact: { seq: number; sheet: string; line: number; events: number; position: string | null }): Promise<void> {
      await sql.query(
        `with done as (
           insert into lifecycle.import_facts (import_id, seq, sheet, line, events, position) values ($1, $2, $3, $4, $5, $6)
           on conflict do nothing
         )
         update lifecycle.imports set updated_at = now(), lease_until = now() + make_interval(secs => $7) where import_id = $1`,
        [importId, fact.seq, fact.sheet, fact.line, fact.events, fact.position, leaseSeconds],
      );
    },

    async get(importId: string): Promise<ImportRecord | null> {
      const { rows } = await sql.query<{
        import_id: string; bureau: string; file_name: string; requested_by: string; status: ImportStatus; total: number; errors: string | null;
        created_at: Date | string; updated_at: Date | string; finished_at: Date | string | null; done: number | string;
      }>(
        `select i.*, (select count(*) from lifecycle.import_facts f where f.import_id = i.import_id) as done
           from lifecycle.imports i where i.import_id = $1`,
        [importId],
      );
      const row = rows[0];
      if (!row) return null;
      const parsed = row.errors === null ? null : (JSON.parse(row.errors) as RowError[] | { failure: string });
      const iso = (v: Date | string) => new Date(v).toISOString();
      return {
        importId: row.import_id,
        bureau: row.bureau,
        fileName: row.file_name,
        requestedBy: row.requested_by,
        status: row.status,
        total: Number(row.total),
        done: Number(row.done),
        errors: Array.isArray(parsed) ? parsed : [],
        failure: parsed !== null && !Array.isArray(parsed) ? parsed.failure : null,
        createdAt: iso(row.created_at),
        updatedAt: iso(row.updated_at),
        finishedAt: row.finished_at === null ? null : iso(row.finished_at),
      };
    },
  };
}

export type ImportLedger = ReturnType<typeof importLedger>;
