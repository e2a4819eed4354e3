import { assertNever } from '../authorize.js';
import type { PromotionEvent } from './events.js';
import { toShanghaiDate } from '../values/calendar.js';
import type { ProjectState } from './state.js';
import { entryOf, withEntry } from '../values/keyed.js';
import { evolveClaims, withClaim } from '../entitlement/claims.js';

export function evolvePromotion(state: ProjectState, event: PromotionEvent): ProjectState {
  switch (event.type) {
    case 'SelectionGrantAwarded': {
      const { disbursementId, amount, impliesClaim } = event.data;
      return { ...state, r1: { disbursementId, amount }, claims: impliesClaim ? withClaim(state.claims, 'R1', disbursementId, amount) : state.claims };
    }
    case 'EntitlementClaimed':
    case 'EntitlementClaimPaid':
    case 'EntitlementClaimReleased':
    case 'EntitlementClaimRecovered':
      return { ...state, claims: evolveClaims(state.claims, event) };
    case 'ConversionContractRegistered': {
      const { contractId, transferor, transferee, amount } = event.data;
      return { ...state, contracts: withEntry(state.contracts, contractId, { transferor: transferor ?? state.leadEnterprise, transferee, amount, paid: 0 }) };
    }
    case 'ContractPaymentConfirmed': {
      const { paymentId, contractId, amount, bankReference, paidOn, enterpriseCreditCode } = event.data;
      const contract = entryOf(state.contracts, contractId);
      return {
        ...state,
        contracts: contract === undefined ? state.contracts : withEntry(state.contracts, contractId, { ...contract, paid: contract.paid + amount }),
        payments: withEntry(state.payments, paymentId, { contractId, enterpriseCreditCode, amount, bankReference, paidOn, reversed: false, paymentAssessed: false, reversalAssessed: false }),
      };
    }
    case 'ContractPaymentReversed': {
      const { paymentId, contractId, amount } = event.data;
      const contract = entryOf(state.contracts, contractId);
      const payment = entryOf(state.payments, paymentId);
      return {
        ...state,
        contracts: contract === undefined ? state.contracts : withEntry(state.contracts, contractId, { ...contract, paid: contract.paid - amount }),
        payments: payment === undefined ? state.payments : withEntry(state.payments, paymentId, { ...payment, reversed: true }),
      };
    }
    case 'SubsidyAssessmentRecorded': {
      const payment = entryOf(state.payments, event.data.paymentId);
      if (payment === undefined) return state;
      const updated = event.data.step === 'payment' ? { ...payment, paymentAssessed: true } : { ...payment, reversalAssessed: true };
      return { ...state, payments: withEntry(state.payments, event.data.paymentId, updated) };
    }
    case 'AcceptanceApplied':
      return { ...state, status: 'acceptance_applied', acceptance: { appliedOn: event.data.appliedOn, appliedBy: event.data.by.id, result: null } };
    case 'AcceptanceConcluded':
      return {
        ...state,
        status: 'acceptance_concluded',
        acceptance: state.acceptance === null ? null : { ...state.acceptance, result: event.data.result },
      };
    case 'ProjectClosed':
      return { ...state, status: 'closed', endedOn: toShanghaiDate(event.data.at) };
    case 'PerformanceGraded':
      return { ...state, grades: { ...state.grades, [String(event.data.year)]: event.data.grade } };
    default:
      return assertNever(event);
  }
}
