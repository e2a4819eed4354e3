import type { SqlExecutor } from '@gongguan/platform/db';

/**
 * Witness cosignature lines (C2SP tlog-cosignature, `— <witness name> base64(…)\n`) held for the
 * checkpoint of the head of size `treeSize`, appended after the log's own signature wherever a
 * checkpoint is served (`/v1/audit/checkpoint`, `/v1/audit/checkpoints/{treeSize}`, tlog-proofs,
 * consistency bodies). The one place witness cosigning plugs in; no witness cosigns yet, so none.
 */
export async function cosignatureLines(_sql: SqlExecutor, _treeSize: number): Promise<string[]> {
  return [];
}
