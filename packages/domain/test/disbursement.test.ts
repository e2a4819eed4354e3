import t, { type Test } from 'tap';
import type { DomainErrorCode } from '../src/errors.js';
import { isDomainError } from '../src/errors.js';
import type { DisbursementState, PayoutDecision } from '../src/disbursement/decider.js';
import { decideDisbursement, disbursementDecider } from '../src/disbursement/decider.js';
import type { DisbursementCommand, DisbursementEvent } from '../src/disbursement/disbursement.js';
import { disbursementStream } from '../src/disbursement/disbursement.js';
import type { ClaimEvent, Claims, EntitlementView } from '../src/entitlement/claims.js';
import { claimsOf, evolveClaims, spreadReduction } from '../src/entitlement/claims.js';
import { describeEntitlement, entitlementStream } from '../src/entitlement/entitlement.js';
import { reclaimOverpaid } from '../src/entitlement/reclaim.js';
import { disbursementCmd as cmd } from './fixtures/commands.js';
import { codes, finance, finance2, finance3, officer } from './fixtures/fixtures.js';

const ref = { rule: 'R2' as const, creditCode: codes.lead, year: 2019, projectId: 'p-pump-01', paymentId: 'pay1' };
const payee = { name: 'Taizhou Pump Co.', creditCode: codes.lead };
const KEY = 'p-pump-01/pay1';

/** A disbursement and the ledger entry it pays, folded together as the two streams would be. */
interface World {
  disbursements: Map<string, DisbursementState>;
  claims: Claims;
  entitled: number | null;
}

const fresh = (entitled: number | null = 10_000_000): World => ({ disbursements: new Map(), claims: {}, entitled });
const viewOf = (w: World): EntitlementView => ({ ref, key: KEY, holder: codes.lead, entitled: w.entitled, claims: claimsOf(w.claims, KEY) });
const stateOf = (w: World, id: string) => w.disbursements.get(id) ?? disbursementDecider.initialState;

function apply(w: World, id: string, decided: PayoutDecision): World {
  const disbursements = new Map(w.disbursements);
  disbursements.set(id, decided.disbursement.reduce(disbursementDecider.evolve, stateOf(w, id)));
  return { ...w, disbursements, claims: decided.entitlement.reduce(evolveClaims, w.claims) };
}

/** given(world).when(disbursementId, command).then(t, expected events on each stream, or a refusal). */
function given(w: World) {
  return {
    when(id: string, command: DisbursementCommand) {
      const run = () => decideDisbursement(command, stateOf(w, id), viewOf(w));
      return {
        then(t: Test, expected: { disbursement: unknown[]; entitlement: unknown[] } | DomainErrorCode) {
          if (typeof expected === 'string') {
            try {
              const decided = run();
              t.fail(`expected ${expected}, got ${JSON.stringify(decided.disbursement.map((e) => e.type))}`);
            } catch (err) {
              if (!isDomainError(err)) throw err;
              t.equal(err.code, expected, err.message);
            }
            return;
          }
          const decided = run();
          t.equal(decided.disbursement.length, expected.disbursement.length, 'events on the disbursement');
          t.equal(decided.entitlement.length, expected.entitlement.length, 'events on the entitlement');
          t.match(decided, expected);
        },
        next: () => apply(w, id, run()),
      };
    },
  };
}

const request = (id: string, actor = finance) => cmd('RequestDisbursement', { disbursementId: id, entitlement: ref, payee }, actor);
const approve = cmd('ApproveDisbursement', {}, finance2);
const pay = (reference = 'BOC-2019-7781') => cmd('RecordDisbursementPayment', { bankReference: reference, paidOn: '2019-12-01' }, finance3);
const cancel = cmd('CancelDisbursement', { reason: 'wrong account' }, finance);
const requested = given(fresh()).when('d1', request('d1')).next();
const approved = given(requested).when('d1', approve).next();
const paid = given(approved).when('d1', pay()).next();

t.test('RequestDisbursement: the amount is what the named entitlement still owes, claimed on its stream', async (t) => {
  given(fresh()).when('d1', request('d1')).then(t, {
    disbursement: [{ type: 'DisbursementRequested', data: { rule: 'R2', entitlement: ref, amount: 10_000_000, basis: describeEntitlement(ref), requestedBy: finance.id } }],
    entitlement: [{ type: 'EntitlementClaimed', data: { entitlement: KEY, disbursementId: 'd1', amount: 10_000_000 } }],
  });
  t.equal(disbursementStream('d1'), 'disbursement-d1');
  t.equal(entitlementStream(ref), `subsidy-${codes.lead}-2019`);
  t.equal(entitlementStream({ rule: 'R1', projectId: 'p1' }), 'project-p1');
  t.equal(entitlementStream({ rule: 'R3', creditCode: codes.institution, year: 2019, transactionId: 't1' }), `r3-${codes.institution}-2019`);
});

t.test('RequestDisbursement refusals', async (t) => {
  given(fresh(null)).when('d1', request('d1')).then(t, 'ENTITLEMENT_NOT_FOUND');
  given(fresh(0)).when('d1', request('d1')).then(t, 'ENTITLEMENT_SETTLED');
  given(requested).when('d2', request('d2')).then(t, 'ENTITLEMENT_SETTLED');
  given(paid).when('d2', request('d2')).then(t, 'ENTITLEMENT_SETTLED');
  given(requested).when('d1', request('d1')).then(t, 'ALREADY_EXISTS');
  given(fresh()).when('d1', cmd('RequestDisbursement', { disbursementId: 'd1', entitlement: ref, payee: { name: 'X', creditCode: codes.buyer } }, finance)).then(t, 'PAYEE_MISMATCH');
  given(fresh()).when('d1', request('d1', officer)).then(t, 'ROLE_NOT_ALLOWED');
  t.throws(() => disbursementDecider.decide(request('d1'), disbursementDecider.initialState), /together with its entitlement/, 'never decided without the entitlement');
});

t.test('ApproveDisbursement: never by the requester', async (t) => {
  given(requested).when('d1', approve).then(t, { disbursement: [{ type: 'DisbursementApproved', data: { approvedBy: finance2.id } }], entitlement: [] });
  given(requested).when('d1', { ...approve, actor: finance }).then(t, 'FOUR_EYES_VIOLATION');
  given(approved).when('d1', approve).then(t, 'INVALID_STATE');
  given(fresh()).when('d1', approve).then(t, 'DISBURSEMENT_NOT_FOUND');
});

t.test('RecordDisbursementPayment: never by the approver; marks the claim paid; refused once the entitlement shrank', async (t) => {
  given(approved).when('d1', pay()).then(t, {
    disbursement: [{ type: 'DisbursementPaid', data: { amount: 10_000_000, recordedBy: finance3.id } }],
    entitlement: [{ type: 'EntitlementClaimPaid', data: { entitlement: KEY, disbursementId: 'd1', amount: 10_000_000 } }],
  });
  given(approved).when('d1', { ...pay(), actor: finance2 }).then(t, 'FOUR_EYES_VIOLATION');
  given(requested).when('d1', pay()).then(t, 'INVALID_STATE');
  given(paid).when('d1', pay()).then(t, 'INVALID_STATE');
  given({ ...approved, entitled: 9_999_999 }).when('d1', pay()).then(t, 'ENTITLEMENT_REDUCED');
});

t.test('CancelDisbursement releases the claim: the entitlement owes it again, once', async (t) => {
  given(approved).when('d1', cancel).then(t, {
    disbursement: [{ type: 'DisbursementCancelled' }],
    entitlement: [{ type: 'EntitlementClaimReleased', data: { disbursementId: 'd1', reason: 'cancelled' } }],
  });
  given(paid).when('d1', cancel).then(t, 'INVALID_STATE');
  const cancelled = given(approved).when('d1', cancel).next();
  given(cancelled).when('d1', approve).then(t, 'INVALID_STATE');
  given(cancelled).when('d2', request('d2')).then(t, { disbursement: [{ data: { amount: 10_000_000 } }], entitlement: [{ type: 'EntitlementClaimed' }] });
  const again = given(cancelled).when('d2', request('d2')).next();
  given(again).when('d3', request('d3')).then(t, 'ENTITLEMENT_SETTLED');
});

t.test('ReverseDisbursement: the bank returned it, the entitlement owes it again', async (t) => {
  const reverse = cmd('ReverseDisbursement', { reversedOn: '2019-12-05', reason: 'account closed' }, finance);
  given(paid).when('d1', reverse).then(t, {
    disbursement: [{ type: 'DisbursementReversed', data: { amount: 10_000_000, originalBankReference: 'BOC-2019-7781' } }],
    entitlement: [{ type: 'EntitlementClaimReleased', data: { reason: 'returned' } }],
  });
  given(approved).when('d1', reverse).then(t, 'INVALID_STATE');
  given(given(paid).when('d1', reverse).next()).when('d2', request('d2')).then(t, { disbursement: [{ data: { amount: 10_000_000 } }], entitlement: [{}] });
});

t.test('ClawBackDisbursement on a finding: at most what was paid, and forfeited (not owed again)', async (t) => {
  const claw = (clawbackId: string, amount: number) => cmd('ClawBackDisbursement', { clawbackId, amount, decidedOn: '2020-03-01', reason: 'audit finding', basis: 'audit 2020-04' }, finance);
  given(paid).when('d1', claw('cb1', 4_000_000)).then(t, {
    disbursement: [{ type: 'DisbursementClawedBack', data: { amount: 4_000_000, originalBankReference: 'BOC-2019-7781' } }],
    entitlement: [{ type: 'EntitlementClaimRecovered', data: { clawbackId: 'cb1', amount: 4_000_000, cause: 'clawback' } }],
  });
  const once = given(paid).when('d1', claw('cb1', 4_000_000)).next();
  given(once).when('d1', claw('cb1', 4_000_000)).then(t, { disbursement: [], entitlement: [] });
  given(once).when('d1', claw('cb2', 6_000_001)).then(t, 'CLAWBACK_EXCEEDS_PAID');
  given(approved).when('d1', claw('cb1', 1)).then(t, 'INVALID_STATE');
  given(once).when('d2', request('d2')).then(t, 'ENTITLEMENT_SETTLED');
  given(once).when('d1', cmd('ReverseDisbursement', { reversedOn: '2020-03-02', reason: 'x' }, finance)).then(t, 'CLAWBACK_EXCEEDS_PAID');
});

t.test('a legacy (v1) disbursement names no entitlement and is decided on its own stream', async (t) => {
  const legacy: DisbursementEvent = {
    type: 'DisbursementRequested',
    data: { by: finance, at: '2019-01-01T00:00:00Z', disbursementId: 'old', rule: 'R2', entitlement: null, payee, amount: 999_999_900, basis: 'free text', requestedBy: finance.id },
  };
  const state = [legacy].reduce(disbursementDecider.evolve, disbursementDecider.initialState);
  t.match(disbursementDecider.decide(cancel, state), [{ type: 'DisbursementCancelled' }]);
  t.match(decideDisbursement(cancel, state, null), { entitlement: [] });
});

t.test('reclaimOverpaid: after a reduction, claw back what exceeds the entitlement, latest paid first', async (t) => {
  // Two payments for one entry (the first partly returned by the bank and paid again is not needed here: two live claims).
  let w = fresh(10_000_000);
  w = { ...w, claims: [
    { type: 'EntitlementClaimed', data: { by: finance, at: 'x', entitlement: KEY, disbursementId: 'a', amount: 6_000_000 } },
    { type: 'EntitlementClaimPaid', data: { by: finance, at: 'x', entitlement: KEY, disbursementId: 'a', amount: 6_000_000 } },
    { type: 'EntitlementClaimed', data: { by: finance, at: 'x', entitlement: KEY, disbursementId: 'b', amount: 4_000_000 } },
    { type: 'EntitlementClaimPaid', data: { by: finance, at: 'x', entitlement: KEY, disbursementId: 'b', amount: 4_000_000 } },
  ].reduce((c, e) => evolveClaims(c, e as ClaimEvent), w.claims) };
  const paidState = (amount: number): DisbursementState => ({ ...disbursementDecider.initialState, status: 'paid', amount, bankReference: 'REF', entitlement: ref });
  const states = new Map([['a', paidState(6_000_000)], ['b', paidState(4_000_000)]]);
  const context = { by: finance, at: '2020-01-01T00:00:00Z', clawbackId: 'rc1', decidedOn: '2020-01-01', reason: 'refund' };
  const reclaim = reclaimOverpaid({ ...viewOf(w), entitled: 3_000_000 }, states, context);
  t.match(reclaim.disbursements, [
    { disbursementId: 'b', events: [{ type: 'DisbursementClawedBack', data: { amount: 4_000_000 } }] },
    { disbursementId: 'a', events: [{ type: 'DisbursementClawedBack', data: { amount: 3_000_000 } }] },
  ]);
  t.match(reclaim.entitlement, [{ data: { disbursementId: 'b', amount: 4_000_000, cause: 'entitlement_reduced' } }, { data: { disbursementId: 'a', amount: 3_000_000 } }]);
  t.same(reclaimOverpaid(viewOf(w), states, context), { entitlement: [], disbursements: [] }, 'nothing when nothing is overpaid');
  const after = reclaim.entitlement.reduce(evolveClaims, w.claims);
  t.same(reclaimOverpaid({ ...viewOf({ ...w, claims: after }), entitled: 3_000_000 }, states, context).entitlement, [], 'and nothing twice');
});

t.test('spreadReduction: the reversed entry first, then the latest, none below zero', async (t) => {
  const entries = [{ entitlement: 5 }, { entitlement: 3 }, { entitlement: 4 }];
  t.same(spreadReduction(entries, 0, 4), [{ entitlement: 1 }, { entitlement: 3 }, { entitlement: 4 }]);
  t.same(spreadReduction(entries, 1, 6), [{ entitlement: 5 }, { entitlement: 0 }, { entitlement: 1 }]);
  t.same(spreadReduction(entries, 2, 12), [{ entitlement: 0 }, { entitlement: 0 }, { entitlement: 0 }]);
});

t.test('a correction of a paid disbursement: requested by one finance officer, applied when another approves it', async (t) => {
  const corrects = { eventId: 'e-paid', type: 'DisbursementPaid' };
  const requestCorrection = (correctionId: string, correction: Parameters<typeof cmd<'RequestDisbursementCorrection'>>[1]['correction'], actor = finance) =>
    cmd('RequestDisbursementCorrection', { correctionId, correction, reason: '审计发现', corrects }, actor);
  const clawback = { kind: 'clawback' as const, clawbackId: 'cb-1', amount: 2_500_000, decidedOn: '2021-03-01', basis: '审计报告' };
  given(approved).when('d1', requestCorrection('c1', clawback)).then(t, 'INVALID_STATE');
  given(paid).when('d1', requestCorrection('c1', { ...clawback, amount: 10_000_001 })).then(t, 'CLAWBACK_EXCEEDS_PAID');
  given(paid).when('d1', requestCorrection('c1', { kind: 'bank_reference', bankReference: 'BOC-2019-7781' })).then(t, 'NOTHING_TO_CORRECT');
  given(paid).when('d1', requestCorrection('c1', clawback, officer)).then(t, 'ROLE_NOT_ALLOWED');
  given(paid).when('d1', requestCorrection('c1', clawback)).then(t, { disbursement: [{ type: 'DisbursementCorrectionRequested', data: { correctionId: 'c1', requestedBy: finance.id, corrects } }], entitlement: [] });
  const requestedClawback = given(paid).when('d1', requestCorrection('c1', clawback)).next();
  t.equal(stateOf(requestedClawback, 'd1').clawedBack, 0, 'a request moves no money');
  const approveCorrection = (correctionId: string, actor = finance2) => cmd('ApproveDisbursementCorrection', { correctionId }, actor);
  given(requestedClawback).when('d1', approveCorrection('c1', finance)).then(t, 'FOUR_EYES_VIOLATION');
  given(requestedClawback).when('d1', approveCorrection('c9')).then(t, 'CORRECTION_NOT_FOUND');
  given(requestedClawback).when('d1', approveCorrection('c1')).then(t, {
    disbursement: [
      { type: 'DisbursementCorrectionApproved', data: { approvedBy: finance2.id, requestedBy: finance.id, corrects } },
      { type: 'DisbursementClawedBack', data: { clawbackId: 'cb-1', amount: 2_500_000, originalBankReference: 'BOC-2019-7781', reason: '审计发现' } },
    ],
    entitlement: [{ type: 'EntitlementClaimRecovered', data: { disbursementId: 'd1', clawbackId: 'cb-1', amount: 2_500_000, cause: 'clawback' } }],
  });
  const clawed = given(requestedClawback).when('d1', approveCorrection('c1')).next();
  t.equal(stateOf(clawed, 'd1').clawedBack, 2_500_000);
  given(clawed).when('d1', approveCorrection('c1')).then(t, 'CORRECTION_NOT_PENDING');

  const rebanked = given(given(paid).when('d1', requestCorrection('b1', { kind: 'bank_reference', bankReference: 'BOC-2019-7782' })).next()).when('d1', approveCorrection('b1')).next();
  t.equal(stateOf(rebanked, 'd1').bankReference, 'BOC-2019-7782', 'the corrected reference');
  const rejected = given(given(paid).when('d1', requestCorrection('b2', { kind: 'bank_reference', bankReference: 'BOC-1' })).next()).when('d1', cmd('RejectDisbursementCorrection', { correctionId: 'b2', comment: '无误' }, finance)).next();
  given(rejected).when('d1', approveCorrection('b2')).then(t, 'CORRECTION_NOT_PENDING');
  t.equal(stateOf(rejected, 'd1').bankReference, 'BOC-2019-7781');
});
