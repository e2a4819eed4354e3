import type { DisbursementState } from '../disbursement/decider.js';
import type { DisbursementEvent } from '../disbursement/disbursement.js';
import type { Actor } from '../values/common.js';
import type { ClaimEvent, EntitlementView } from './claims.js';
import { overpaid } from './claims.js';
import { describeEntitlement } from './entitlement.js';

export interface Reclaim {
  readonly entitlement: ClaimEvent[];
  readonly disbursements: { readonly disbursementId: string; readonly events: DisbursementEvent[] }[];
}

/**
 * After an entitlement was reduced (an R2 payment reversed, an R3 transaction reversed), claws
 * back from the disbursements that paid it whatever they paid beyond what it now entitles, latest
 * first: one DisbursementClawedBack on each such disbursement and one EntitlementClaimRecovered on
 * the entitlement's stream, appended with the reduction in one atomic append. `disbursements`
 * holds the state of every disbursement with a paid claim on the entitlement.
 */
export function reclaimOverpaid(
  view: EntitlementView,
  disbursements: ReadonlyMap<string, DisbursementState>,
  context: { by: Actor; at: string; clawbackId: string; decidedOn: string; reason: string },
): Reclaim {
  const { by, at, clawbackId, decidedOn, reason } = context;
  const reclaim: Reclaim = { entitlement: [], disbursements: [] };
  for (const { disbursementId, amount } of overpaid(view.claims, view.entitled ?? 0)) {
    const state = disbursements.get(disbursementId);
    if (state === undefined || state.status !== 'paid' || state.amount - state.clawedBack < amount) {
      throw new Error(`disbursement ${disbursementId} does not show the payment its claim on ${view.key} records`);
    }
    reclaim.entitlement.push({
      type: 'EntitlementClaimRecovered',
      data: { by, at, entitlement: view.key, disbursementId, clawbackId, amount, cause: 'entitlement_reduced' },
    });
    reclaim.disbursements.push({
      disbursementId,
      events: [
        {
          type: 'DisbursementClawedBack',
          data: {
            by,
            at,
            disbursementId,
            clawbackId,
            amount,
            originalBankReference: state.bankReference ?? '',
            decidedOn,
            reason,
            basis: `${describeEntitlement(view.ref)} reduced`,
          },
        },
      ],
    });
  }
  return reclaim;
}
