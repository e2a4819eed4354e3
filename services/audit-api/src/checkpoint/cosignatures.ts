import type { AuditContext } from '../routes/context.js';

/**
 * Witness cosignature lines (C2SP tlog-cosignature, `— <witness name> base64(…)\n`) held for the
 * checkpoint of the head of size `treeSize`, appended after the log's own signature wherever a
 * checkpoint is served (`/v1/audit/checkpoint`, `/v1/audit/checkpoints/{treeSize}`, tlog-proofs,
 * consistency bodies). The one place witness cosigning plugs in: the lines the cosignature store
 * (`cosignature-store.ts`, stream `audit-cosignatures`) accepted for that size, in the order stored.
 */
export async function cosignatureLines(ctx: Pick<AuditContext, 'cosignatures'>, treeSize: number): Promise<string[]> {
  return ctx.cosignatures.cosignatureLines(treeSize);
}
