import {
  disbursement,
  entitlementStream,
  project,
  r1EntitlementView,
  r2EntitlementView,
  r3EntitlementView,
  r2Ledger,
  r3Ledger,
  type EntitlementRef,
  type EntitlementView,
  type ProjectState,
  type R2LedgerState,
  type R3LedgerState,
} from '@gongguan/domain';
import type { AcrossPart } from './execute-payout.js';

/** The stream that decides an entitlement, and how to see the entitlement in that stream's state. */
export interface EntitlementPart {
  part: AcrossPart;
  view(state: unknown): EntitlementView;
}

/** The part of a cross-stream decision that is the entitlement's own stream. */
export function entitlementPart(ref: EntitlementRef): EntitlementPart {
  const stream = entitlementStream(ref);
  switch (ref.rule) {
    case 'R1':
      return { part: { aggregate: project, stream }, view: (state) => r1EntitlementView({ ...(state as ProjectState), projectId: ref.projectId }) };
    case 'R2':
      return { part: { aggregate: r2Ledger, stream }, view: (state) => r2EntitlementView(state as R2LedgerState, ref) };
    case 'R3':
      return { part: { aggregate: r3Ledger, stream }, view: (state) => r3EntitlementView(state as R3LedgerState, ref) };
    default: {
      const never: never = ref;
      throw new Error(`unknown entitlement ${JSON.stringify(never)}`);
    }
  }
}

export function disbursementPart(disbursementId: string): AcrossPart {
  return { aggregate: disbursement, stream: disbursement.streamName(disbursementId) };
}
