import type { AuditContext } from '../routes/context.js';

/**
 * Witness cosignature lines (C2SP tlog-cosignature, `— <witness name> base64(…)\n`) held for the
 * checkpoint of the head of size `treeSize`, appended after the log's own signature wherever a
 * checkpoint is served (`/v1/audit/checkpoint`, `/v1/audit/checkpoints/{treeSize}`, tlog-proofs,
 * consistency bodies). The one place witness cosigning plugs in; no witness cosigns yet, so none.
 */
export async function cosignatureLines(_ctx: AuditContext, _treeSize: number): Promise<string[]> {
  return [];
}
