import { lineText } from '@gongguan/domain';
import { appError, type HttpApp } from '@gongguan/platform';
import { z } from 'zod';
import { callerBureau } from '../bureaus/access.js';
import { parseFile, UnreadableFile, type ImportService } from '../import/service.js';

/** An import file as posted: at most 16 MiB once decoded (a few thousand projects). */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

const RowErrorSchema = z.object({
  sheet: z.string().describe('The worksheet ("" for a CSV)'),
  line: z.int().describe('The line of the CSV (where the row starts) or the row number of the worksheet'),
  column: z.string().describe('The column as headed in the file'),
  code: z.string().describe('INVALID_VALUE, MISSING_VALUE, UNKNOWN_COLUMN, DEPENDS_ON_REFUSED_ROW, or the code the command was refused with (SOLICITATION_CLOSED, QUOTA_REACHED, FOUR_EYES_REQUIRED, …)'),
  message: z.string().describe('Why, in Chinese first'),
});

const ImportBody = z.strictObject({
  fileName: lineText(200).describe('The file name, for the ledger'),
  format: z.enum(['csv', 'xlsx']).optional().describe('Read from the content (a ZIP is .xlsx) when left out'),
  content: z
    .string()
    .min(1)
    .max(Math.ceil(MAX_FILE_BYTES / 3) * 4)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be the file in base64')
    .describe('The file, base64'),
  dryRun: z.boolean().default(false).describe('Check every row and write nothing'),
});

const DryRunReport = z
  .object({
    importId: z.string().describe('SHA-256 of the bureau and the facts of the file'),
    dryRun: z.literal(true),
    rows: z.int(),
    facts: z.int().describe('Commands the rows turn into'),
    ok: z.boolean(),
    errors: z.array(RowErrorSchema),
  })
  .meta({ example: { importId: '5f1c…', dryRun: true, rows: 42, facts: 97, ok: false, errors: [{ sheet: '付款', line: 7, column: '审核日期', code: 'FOUR_EYES_REQUIRED', message: '…' }] } });

const Progress = z
  .object({
    importId: z.string(),
    fileName: z.string(),
    requestedBy: z.string(),
    status: z.enum(['validating', 'invalid', 'running', 'done', 'failed']).describe('validating (dry run first) → running → done; invalid: bad rows, nothing written; failed: stopped, post the file again to resume'),
    total: z.int().describe('Facts in the file'),
    done: z.int().describe('Facts written (or found written)'),
    validated: z.int().nullable().describe('Facts checked so far while validating (in the process running it)'),
    errors: z.array(RowErrorSchema),
    failure: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .meta({ example: { importId: '5f1c…', fileName: 'taizhou-2018.xlsx', requestedBy: 'alice', status: 'running', total: 97, done: 40, validated: null, errors: [], failure: null, createdAt: '2026-12-04T08:00:00.000Z', updatedAt: '2026-12-04T08:00:09.000Z', finishedAt: null } });

/** POST /v1/imports (dry run or start), GET /v1/imports/:importId (progress). */
export function registerImportRoutes(app: HttpApp, imports: ImportService): void {
  app.post(
    '/v1/imports',
    {
      bodyLimit: Math.ceil(MAX_FILE_BYTES / 3) * 4 + 4096,
      config: { roles: ['officer'] },
      schema: {
        summary: "Import a bureau's earlier records (CSV or .xlsx): every fact back-recorded as of its own date",
        description:
          'Rows of programmes, projects, reviews, approvals, task books, milestones, stages, contracts and payments (see services/lifecycle-api/README.md, "Importing records"), each run through the same command as its route, as of its date, by the person the row names; the caller is recorded as the one who back-recorded it. ' +
          '`dryRun: true` answers 200 with every bad row (line, column, reason) and writes nothing. Otherwise 422 IMPORT_INVALID when a row cannot even be read, else 202: the run checks every fact first (status validating; invalid: nothing written) and then writes them; follow it at the Location. ' +
          'The same file again is the same import: done, it writes nothing; stopped, it resumes.',
        tags: ['imports'],
        body: ImportBody.meta({ example: { fileName: 'taizhou-2018.csv', content: '77u/57G75Z6LLOiuoeWIkue8luWPtyzorqHliJLlkI3np7ANCg==', dryRun: true } }),
        response: { 200: DryRunReport, 202: Progress },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      const body = request.body as z.output<typeof ImportBody>;
      const bytes = Buffer.from(body.content, 'base64');
      if (bytes.length > MAX_FILE_BYTES) throw appError('PAYLOAD_TOO_LARGE', `文件超过 ${MAX_FILE_BYTES} 字节 (the file is larger than ${MAX_FILE_BYTES} bytes)`);
      let parsed;
      try {
        parsed = await parseFile(bytes, body.format);
      } catch (err) {
        if (err instanceof UnreadableFile) throw appError('VALIDATION_FAILED', err.message);
        throw err;
      }
      const importer = { bureau: callerBureau(principal), subject: principal.subject, role: 'officer' as const };
      if (body.dryRun) {
        const report = await imports.dryRun(importer, parsed);
        return reply.code(200).send({ ...report, dryRun: true, ok: report.errors.length === 0 });
      }
      if (parsed.errors.length > 0 || parsed.facts.length === 0) {
        const errors = parsed.errors.length > 0 ? parsed.errors : [{ sheet: '', line: 1, column: '', code: 'MISSING_VALUE', message: '文件中没有记录 (the file holds no records)' }];
        throw appError('IMPORT_INVALID', `${errors.length} 处错误，未导入任何记录 (${errors.length} problem(s); nothing was imported)`, { extra: { errors } });
      }
      const { importId } = await imports.start(importer, body.fileName, parsed.facts);
      const progress = await imports.progress(importId);
      if (!progress) throw new Error(`import ${importId} has no ledger record`);
      return reply.code(202).header('location', `/v1/imports/${importId}`).send(progress);
    },
  );

  app.get(
    '/v1/imports/:importId',
    {
      config: { roles: ['officer', 'auditor'] },
      schema: {
        summary: 'How far an import is: validating, running (done of total facts), done, invalid (its bad rows) or failed',
        tags: ['imports'],
        params: z.strictObject({ importId: z.string().regex(/^[0-9a-f]{64}$/, 'must be an import id (64 hex digits)') }),
        response: { 200: Progress },
      },
    },
    async (request) => {
      const { importId } = request.params as { importId: string };
      const progress = await imports.progress(importId);
      // Another bureau's import answers as one that does not exist.
      if (!progress || progress.bureau !== callerBureau(request.principal!)) throw appError('NOT_FOUND', `没有导入 ${importId} (no such import)`);
      const { bureau: _bureau, ...rest } = progress;
      return rest;
    },
  );
}
