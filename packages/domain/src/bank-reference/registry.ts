import { z } from 'zod';
import { assertNever, assertRole } from '../authorize.js';
import type { CommandsOf, Decider, EventsOf } from '../decider.js';
import { domainError } from '../errors.js';
import type { Role } from '../roles.js';
import { Id, RecordedText, Text, recorded } from '../values/common.js';
import { Corrects } from '../values/corrects.js';
import { BankReference } from './bank-reference.js';

const Claimant = z.strictObject({ kind: z.enum(['disbursement', 'contract_payment']), id: Id });

export const bankReferenceCommandSchemas = {
  /** Claims a bank reference for one payment, before that payment is recorded on its own stream. */
  ClaimBankReference: z.strictObject({ bankReference: BankReference, claimant: Claimant }),
  /**
   * Frees a reference its payment was wrongly recorded with: decided only inside an approved
   * correction of that payment's bank reference, in the same append that claims the right one.
   */
  ReleaseBankReference: z.strictObject({ bankReference: BankReference, claimant: Claimant, reason: Text, corrects: Corrects }),
} as const;

export const bankReferenceEventSchemas = {
  BankReferenceClaimed: z.strictObject({ ...recorded, bankReference: BankReference, claimant: Claimant }),
  /** The payment's reference was corrected: this one was never its, and is free again. */
  BankReferenceReleased: z.strictObject({ ...recorded, bankReference: BankReference, claimant: Claimant, reason: RecordedText, corrects: Corrects }),
} as const;

export type BankReferenceCommand = CommandsOf<typeof bankReferenceCommandSchemas>;
export type BankReferenceEvent = EventsOf<typeof bankReferenceEventSchemas>;
export type BankReferenceCommandType = BankReferenceCommand['type'];

export const bankReferenceCommandRoles: Record<BankReferenceCommandType, Role[]> = {
  ClaimBankReference: ['officer', 'finance'],
  ReleaseBankReference: ['finance'],
};

export interface BankReferenceState {
  readonly claimant: z.infer<typeof Claimant> | null;
}

/**
 * The registry of one bank reference (stream `bank-reference-<ref>`). "A bank reference is paid
 * once" is a single-stream invariant here: the first claim wins, appended with the expected
 * revision "no stream", and a retried claim by the same payment is a no-op. A corrected payment
 * releases the reference it was wrongly recorded with (BankReferenceReleased), which another
 * payment may then claim.
 */
export const bankReferenceDecider: Decider<BankReferenceCommand, BankReferenceState, BankReferenceEvent> = {
  decide(command, state) {
    assertRole(command.type, command.actor, bankReferenceCommandRoles[command.type]);
    switch (command.type) {
      case 'ClaimBankReference': {
        const { bankReference, claimant } = command.data;
        if (state.claimant !== null) {
          if (state.claimant.kind === claimant.kind && state.claimant.id === claimant.id) return [];
          throw domainError(
            'BANK_REFERENCE_ALREADY_USED',
            `bank reference ${bankReference} is already used by ${state.claimant.kind.replace('_', ' ')} ${state.claimant.id}`,
            { claimant: state.claimant },
          );
        }
        return [{ type: 'BankReferenceClaimed', data: { by: command.actor, at: command.at, bankReference, claimant } }];
      }
      case 'ReleaseBankReference': {
        const { bankReference, claimant, reason, corrects } = command.data;
        // Only the payment that holds it releases it; a reference it never claimed (recorded before
        // the registry) has nothing to release.
        if (state.claimant === null || state.claimant.kind !== claimant.kind || state.claimant.id !== claimant.id) return [];
        return [{ type: 'BankReferenceReleased', data: { by: command.actor, at: command.at, bankReference, claimant, reason, corrects } }];
      }
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'BankReferenceClaimed':
        return { claimant: event.data.claimant };
      case 'BankReferenceReleased':
        return { claimant: null };
      default:
        return assertNever(event);
    }
  },
  initialState: { claimant: null },
};
