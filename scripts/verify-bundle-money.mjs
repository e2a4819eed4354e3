// The money part of the offline bundle verifier (issue 17 item 2, "the verifier recomputes the
// money"), with Node's standard library only: it imports nothing. It replays R1, R2 and R3 from
// the stored events under the policy the events themselves record, and checks every amount they
// record against the recomputation, to the fen. The rules are written again here, plainly, from
// the domain, which stays their source of truth (each block names the file it follows):
// packages/domain/src/policy.ts, values/fen.ts, subsidy/{r2-rules,r2-ledger,r3-ledger,contract-payment}.ts,
// entitlement/{claims,entitlement,reclaim}.ts, disbursement/{decider,disbursement}.ts,
// project/{decide,evolve}-promotion.ts, bank-reference/registry.ts and upcasting.ts.
// services/audit-api/README.md ("What the verifier recomputes") lists the checks.

// ---------------------------------------------------------------------------------------------
// Arithmetic: packages/domain/src/values/fen.ts and subsidy/r2-rules.ts.

/** amount × bps / 10000 rounded down to the fen, exactly (BigInt once the product leaves the safe range). */
export function rateFloor(amount, bps) {
  const product = amount * bps;
  if (Number.isSafeInteger(product)) return (product - (product % 10_000)) / 10_000;
  return Number((BigInt(amount) * BigInt(bps)) / 10_000n);
}

/**
 * R2 for one enterprise-year from its entries `{projectId, contractId, amount, reversed}` in ledger
 * order (subsidy/r2-rules.ts assessR2). per_year: the year's live total must reach the threshold;
 * rate × total, floored, capped. per_contract: a contract earns rate × its live total, floored, once
 * that total reaches the threshold; contracts take the cap in the order they qualified.
 */
export function recomputeR2(entries, policy) {
  const live = entries.filter((e) => !e.reversed);
  if (policy.r2ThresholdMode === 'per_year') {
    const total = live.reduce((sum, e) => sum + e.amount, 0);
    const uncapped = total >= policy.r2Threshold ? rateFloor(total, policy.r2RateBps) : 0;
    return { uncapped, entitlement: Math.min(uncapped, policy.r2AnnualCap) };
  }
  const paid = new Map();
  const qualifiedAt = new Map();
  live.forEach((e, index) => {
    const key = `${e.projectId}/${e.contractId}`;
    const total = (paid.get(key) ?? 0) + e.amount;
    paid.set(key, total);
    if (total >= policy.r2Threshold && !qualifiedAt.has(key)) qualifiedAt.set(key, index);
  });
  const order = [...paid.keys()].sort((a, b) => (qualifiedAt.get(a) ?? Infinity) - (qualifiedAt.get(b) ?? Infinity));
  let remaining = policy.r2AnnualCap;
  let uncapped = 0;
  for (const key of order) {
    const subsidy = qualifiedAt.has(key) ? rateFloor(paid.get(key), policy.r2RateBps) : 0;
    remaining -= Math.min(subsidy, remaining);
    uncapped += subsidy;
  }
  return { uncapped, entitlement: policy.r2AnnualCap - remaining };
}

/** R3 for one institution-year: rate × live in-city volume, floored, capped (subsidy/r2-rules.ts assessR3). */
export function recomputeR3(entries, policy) {
  const volume = entries.filter((e) => !e.reversed).reduce((sum, e) => sum + e.amount, 0);
  const uncapped = rateFloor(volume, policy.r3RateBps);
  return { uncapped, entitlement: Math.min(uncapped, policy.r3AnnualCap) };
}

/**
 * A ledger reduction spread over its entries' entitlements: the reversed entry first, then the
 * others from the latest back, none below zero (entitlement/claims.ts spreadReduction).
 */
function spreadReduction(entries, causeIndex, amount) {
  let left = amount;
  const order = [causeIndex, ...entries.map((_, i) => entries.length - 1 - i).filter((i) => i !== causeIndex)];
  for (const i of order) {
    if (left <= 0) break;
    const cut = Math.min(left, entries[i].entitlement);
    entries[i].entitlement -= cut;
    left -= cut;
  }
}

// ---------------------------------------------------------------------------------------------
// Claims against an entitlement: entitlement/claims.ts.

const held = (list) => list.filter((c) => c.status !== 'released').reduce((sum, c) => sum + c.amount - c.reduced, 0);
const paidNet = (list) => list.filter((c) => c.status === 'paid').reduce((sum, c) => sum + c.amount - c.recovered, 0);

/** What must be clawed back of an entitlement now worth `entitled`, latest paid claim first (claims.ts overpaid). */
function overpaid(list, entitled) {
  let excess = paidNet(list) - entitled;
  const recoveries = [];
  for (const claim of [...list].reverse()) {
    if (excess <= 0) break;
    if (claim.status !== 'paid') continue;
    const amount = Math.min(excess, claim.amount - claim.recovered);
    if (amount > 0) recoveries.push({ disbursementId: claim.disbursementId, amount });
    excess -= amount;
  }
  return recoveries;
}

function withClaim(book, key, disbursementId, amount) {
  const list = book.get(key) ?? [];
  const existing = list.find((c) => c.disbursementId === disbursementId);
  if (existing) Object.assign(existing, { amount, status: 'requested' });
  else list.push({ disbursementId, amount, status: 'requested', recovered: 0, reduced: 0 });
  book.set(key, list);
}

// ---------------------------------------------------------------------------------------------
// Stored versions: packages/domain/src/upcasting.ts and events.ts (currentSchemaVersion). Only what
// the money reads is upgraded; ProjectSubmitted v1's requestedFundingYuan is not money this checks.

/** The event types the money is read from, each with the version written today; others are not read. */
const CURRENT = {
  ProgrammeLaunched: 3,
  ProjectSubmitted: 4,
  SelectionGrantAwarded: 2,
  ConversionContractRegistered: 2,
  ContractPaymentConfirmed: 1,
  ContractPaymentReversed: 1,
  SubsidyAssessmentRecorded: 1,
  EntitlementClaimed: 1,
  EntitlementClaimPaid: 1,
  EntitlementClaimReleased: 1,
  EntitlementClaimRecovered: 1,
  R2LedgerOpened: 2,
  R2PaymentAssessed: 1,
  R2ReversalAssessed: 2,
  R3LedgerOpened: 2,
  R3TransactionRecorded: 1,
  R3TransactionReversed: 1,
  DisbursementRequested: 2,
  DisbursementApproved: 1,
  DisbursementCancelled: 1,
  DisbursementPaid: 1,
  DisbursementReversed: 1,
  DisbursementClawedBack: 1,
  BankReferenceClaimed: 1,
  BankReferenceReleased: 1,
  MoneyCorrectionApproved: 1,
  DisbursementCorrectionApproved: 1,
};

/** The data of a stored event at its current version (only the fields the money reads), or a reason it cannot be. */
function upcast(event) {
  const version = event.schemaVersion;
  if (!Object.hasOwn(CURRENT, event.type)) return { data: null };
  const current = CURRENT[event.type];
  if (!Number.isInteger(version) || version < 1 || version > current) return { error: `schema version ${String(version)} is not one this verifier knows (1 to ${current})` };
  const data = event.data !== null && typeof event.data === 'object' && !Array.isArray(event.data) ? { ...event.data } : null;
  if (data === null) return { error: 'its data is not an object' };
  switch (event.type) {
    case 'ProgrammeLaunched':
    case 'ProjectSubmitted': {
      // Before r2Beneficiary existed (ProgrammeLaunched v1, ProjectSubmitted v1–v2), R2 went to the transferor.
      const beforeBeneficiary = version < (event.type === 'ProgrammeLaunched' ? 2 : 3);
      if (data.policy !== null && typeof data.policy === 'object') {
        data.policy = { ...data.policy, r2Beneficiary: beforeBeneficiary ? 'transferor' : (data.policy.r2Beneficiary ?? 'transferee') };
      }
      // Before bureaus (ProgrammeLaunched v1–v2, ProjectSubmitted v1–v3) everything was the legacy bureau's.
      if (version < current) data.bureauCode = LEGACY_BUREAU_CODE;
      break;
    }
    case 'R2LedgerOpened':
    case 'R3LedgerOpened':
      if (version < 2) data.bureauCode = LEGACY_BUREAU_CODE;
      break;
    case 'SelectionGrantAwarded':
      // v1: the award itself claimed the grant for its disbursement.
      if (version < 2) data.impliesClaim = true;
      break;
    case 'ConversionContractRegistered':
      // v1 named only the buyer (the transferee); the transferor was the project's lead enterprise.
      if (version < 2) {
        data.transferee = data.buyer;
        data.transferor = null;
      }
      break;
    case 'DisbursementRequested':
      // v1: a free amount with a free-text basis, naming no entitlement.
      if (version < 2) data.entitlement = null;
      break;
    default:
      // R2ReversalAssessed v1 lacks projectId: the ledger's first entry with that paymentId.
      break;
  }
  return { data };
}

// ---------------------------------------------------------------------------------------------
// Stream names: entitlement/entitlement.ts, subsidy/*-ledger.ts, bank-reference/bank-reference.ts.

// A ledger is a bureau's cap (packages/domain/README.md, "Whose cap"): `subsidy-<bureau>-<creditCode>-<year>`,
// and without the bureau part for the legacy bureau (331000), whose ledgers keep the names of before. The same
// rule as the domain's r2LedgerStream/r3LedgerStream; test/verify-money-parity.test.ts holds them equal.
export const LEGACY_BUREAU_CODE = '331000';
const LEDGER = /^(subsidy|r3)-(?:([1-9][0-9]{5})-)?(.+)-(\d{4})$/;
const yearOf = (date) => Number(String(date).slice(0, 4));
/** `subsidy|r3-[<bureau>-]<credit code>-<year>`: the legacy bureau's (or no bureau's) without the bureau. */
export const ledgerName = (prefix, bureau, creditCode, year) =>
  (bureau ?? LEGACY_BUREAU_CODE) === LEGACY_BUREAU_CODE ? `${prefix}-${creditCode}-${year}` : `${prefix}-${bureau}-${creditCode}-${year}`;
const r2Ledger = (bureau, creditCode, year) => ledgerName('subsidy', bureau, creditCode, year);
/** The bureau of each project stream among the events: its submission's (upcast: the legacy bureau's before bureaus). */
export function projectBureaus(events) {
  const bureaus = new Map();
  for (const e of events) {
    if (e.type !== 'ProjectSubmitted' || !String(e.stream).startsWith('project-')) continue;
    const { data } = upcast(e);
    if (data && !bureaus.has(e.stream)) bureaus.set(e.stream, typeof data.bureauCode === 'string' ? data.bureauCode : LEGACY_BUREAU_CODE);
  }
  return bureaus;
}
const bankStream = (reference) => `bank-reference-${reference}`;
const disbursementStream = (id) => `disbursement-${id}`;

/** The stream and key of the entitlement a disbursement names. */
function entitlementOf(ref) {
  if (ref?.rule === 'R1') return { stream: `project-${ref.projectId}`, key: 'R1' };
  if (ref?.rule === 'R2') return { stream: r2Ledger(ref.bureauCode, ref.creditCode, ref.year), key: `${ref.projectId}/${ref.paymentId}` };
  if (ref?.rule === 'R3') return { stream: ledgerName('r3', ref.bureauCode, ref.creditCode, ref.year), key: String(ref.transactionId) };
  return null;
}

const text = (v) => (typeof v === 'string' && v.length > 0 ? v : undefined);
/**
 * The streams one event names under the bundle's closure rule (services/audit-api/README.md): money
 * streams only, never a project. `projectBureau` is the bureau of the event's project stream (see
 * projectBureaus): its payments are assessed on that bureau's ledger. The service's
 * bundle/closure.ts referencedStreams is the same rule; test/verify-money-parity.test.ts holds them equal.
 */
export function closureReferences(e, projectBureau) {
  if (String(e.stream).startsWith('programme-')) return [];
  const d = e.data ?? {};
  const out = [];
  if (text(d.disbursementId)) out.push(disbursementStream(d.disbursementId));
  for (const ref of [text(d.bankReference), text(d.originalBankReference)]) if (ref) out.push(bankStream(ref));
  for (const ref of [text(d.correction?.bankReference), text(d.correction?.previousBankReference)]) if (ref) out.push(bankStream(ref));
  if (text(d.ledgerStream)) out.push(d.ledgerStream);
  if (String(e.stream).startsWith('project-')) {
    for (const id of [text(d.programmeId), text(d.selection?.programmeId)]) if (id) out.push(`programme-${id}`);
    if (e.type === 'ContractPaymentConfirmed' && text(d.enterpriseCreditCode) && text(d.paidOn)) out.push(r2Ledger(projectBureau, d.enterpriseCreditCode, yearOf(d.paidOn)));
  }
  const ref = d.entitlement;
  if (e.type === 'DisbursementRequested' && ref && (ref.rule === 'R2' || ref.rule === 'R3')) out.push(entitlementOf(ref).stream);
  if (e.type === 'BankReferenceClaimed' && d.claimant?.kind === 'disbursement' && text(d.claimant.id)) out.push(disbursementStream(d.claimant.id));
  return out.filter((s) => !s.startsWith('project-'));
}

/**
 * Whether a bank-reference claimant names this contract payment: `<project>.<payment>` (at most 64
 * characters, subsidy/contract-payment.ts; services/lifecycle-api/src/routes/workflow-routes.ts), or
 * the payment id alone, as the audit service's hand-written fixture history names it.
 */
function namesPayment(claimant, projectId, paymentId) {
  const readable = `${projectId}.${paymentId}`;
  const id = readable.length <= 64 ? readable : readable.slice(-64).replace(/^[^A-Za-z0-9]+/, '');
  return claimant.kind === 'contract_payment' && (claimant.id === id || claimant.id === paymentId);
}

function kindOf(stream) {
  if (stream.startsWith('project-')) return 'project';
  if (stream.startsWith('programme-')) return 'programme';
  if (stream.startsWith('disbursement-')) return 'disbursement';
  if (stream.startsWith('bank-reference-')) return 'bank-reference';
  const ledger = LEDGER.exec(stream);
  if (ledger) return ledger[1] === 'subsidy' ? 'r2' : 'r3';
  return null;
}

const CLAIM_TYPES = new Set(['EntitlementClaimed', 'EntitlementClaimPaid', 'EntitlementClaimReleased', 'EntitlementClaimRecovered']);

// ---------------------------------------------------------------------------------------------
// Required streams.

/**
 * The streams the money of these events depends on, each with why (first reason found):
 * - a project's contract payment → the R2 ledger that assesses it (`subsidy-<beneficiary>-<year of paidOn>`,
 *   also what SubsidyAssessmentRecorded names) and its `bank-reference-<ref>`;
 * - an R1 award, and every claim event on a project or an R2/R3 ledger → `disbursement-<id>` of the
 *   disbursement it names;
 * - an R2 assessment → the `bank-reference-<ref>` of the payment it assesses (any project's);
 * - a disbursement → the stream of the entitlement it names (`project-<id>`, `subsidy-…`, `r3-…`;
 *   a legacy v1 one → its project), and the `bank-reference-<ref>` it was paid with;
 * - a bank reference claimed by a disbursement → that disbursement;
 * - an approved correction of a bank reference → both references (the one claimed, the one released).
 * Other projects whose payments share a ledger are not required: the ledger records their amounts,
 * and they are cross-checked when present. A bundle is closed when the streams this names for its
 * own events are all among them (apply it again after adding streams).
 */
export function requiredStreamReasons(events) {
  const reasons = new Map();
  const bureaus = projectBureaus(events);
  const need = (stream, why) => {
    if (!reasons.has(stream)) reasons.set(stream, why);
  };
  for (const event of events) {
    const kind = kindOf(String(event.stream));
    if (kind === null) continue;
    const { data } = upcast(event);
    if (!data) continue;
    const at = `${event.stream}@${event.revision} ${event.type}`;
    if (CLAIM_TYPES.has(event.type) && kind !== 'disbursement') need(disbursementStream(data.disbursementId), `${at} names it`);
    switch (event.type) {
      case 'ContractPaymentConfirmed':
        need(r2Ledger(bureaus.get(event.stream), data.enterpriseCreditCode, yearOf(data.paidOn)), `${at} is assessed there`);
        need(bankStream(data.bankReference), `${at} claims it`);
        break;
      case 'SubsidyAssessmentRecorded':
        need(String(data.ledgerStream), `${at} names it`);
        break;
      case 'SelectionGrantAwarded':
        need(disbursementStream(data.disbursementId), `${at} names it`);
        break;
      case 'R2PaymentAssessed':
        need(bankStream(data.bankReference), `${at} claims it`);
        break;
      case 'DisbursementRequested': {
        const target = entitlementOf(data.entitlement);
        if (target) need(target.stream, `${at} pays an entitlement of it`);
        else if (typeof data.projectId === 'string') need(`project-${data.projectId}`, `${at} pays for it`);
        break;
      }
      case 'DisbursementPaid':
        need(bankStream(data.bankReference), `${at} claims it`);
        break;
      case 'BankReferenceClaimed':
        if (data.claimant?.kind === 'disbursement') need(disbursementStream(data.claimant.id), `${at} is claimed by it`);
        break;
      case 'MoneyCorrectionApproved':
      case 'DisbursementCorrectionApproved':
        // A corrected bank reference: the right one is claimed, the wrong one released, in the same append.
        if (data.correction?.kind === 'payment_bank_reference' || data.correction?.kind === 'bank_reference') {
          need(bankStream(data.correction.bankReference), `${at} claims it`);
          need(bankStream(data.correction.previousBankReference), `${at} releases it`);
        }
        break;
      default:
        break;
    }
  }
  return reasons;
}

/** The set of stream names the money of these events depends on (see requiredStreamReasons). */
export function requiredStreams(events) {
  return new Set(requiredStreamReasons(events).keys());
}

// ---------------------------------------------------------------------------------------------
// The replay.

/** 1234567 → "12,345.67". */
function yuanText(fen) {
  const whole = Math.floor(Math.abs(fen) / 100);
  return `${fen < 0 ? '-' : ''}${whole.toLocaleString('en-US')}.${String(Math.abs(fen) % 100).padStart(2, '0')}`;
}
export const money = (fen) => `${fen} fen (${yuanText(fen)} yuan)`;

/** A stored amount in fen: a safe non-negative integer, or its digits (values/fen.ts Fen). */
function fenOf(value) {
  if (Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value) && Number.isSafeInteger(Number(value))) return Number(value);
  return null;
}

/**
 * Replays the money of these stored events (in store order) and checks every recorded amount
 * against the recomputation. `options.partial`: 'fail' (default) — a money stream that is named
 * by the events but absent, or present without all its revisions from 0, is a failure; 'skip' —
 * such streams are left out and listed in `checked.incompleteStreams` (for a caller that checks
 * completeness itself).
 */
export function verifyMoney(events, options = {}) {
  const partial = options.partial ?? 'fail';
  const failures = [];
  const checked = {
    projects: 0, r1Grants: 0, r2Ledgers: 0, r2Assessments: 0, r2Reversals: 0, r3Ledgers: 0, r3Transactions: 0, r3Reversals: 0,
    claims: 0, disbursements: 0, disbursementsPaid: 0, clawbacks: 0, legacyDisbursements: 0, bankReferences: 0, crossChecks: 0, corrections: 0, incompleteStreams: [],
  };
  const where = (e) => `${e.stream} revision ${e.revision} (${e.type})`;
  const fail = (e, message) => failures.push(`${where(e)}: ${message}`);
  /** One amount the events record differs from what the rules give. */
  const differ = (e, subject, what, recorded, expected) =>
    failures.push(`${where(e)}${subject ? `, entitlement ${subject}` : ''}: ${what} records ${recorded === null ? 'no valid amount' : money(recorded)}; the recomputation gives ${money(expected)}`);

  // Group by stream; a stream is replayed only when it holds every revision from 0 in order.
  const streams = new Map();
  for (const event of events) {
    const stream = String(event.stream);
    if (kindOf(stream) === null) continue;
    if (!streams.has(stream)) streams.set(stream, []);
    streams.get(stream).push(event);
  }
  const complete = new Set();
  for (const [stream, list] of streams) {
    if (list.every((e, i) => e.revision === i)) complete.add(stream);
    else {
      checked.incompleteStreams.push(stream);
      if (partial === 'fail') {
        const gap = list.findIndex((e, i) => e.revision !== i);
        failures.push(`${stream}: incomplete among these events (revision ${gap} is ${list[gap]?.revision ?? 'missing'}): its money cannot be recomputed`);
      }
    }
  }
  if (partial === 'fail') {
    for (const [stream, why] of requiredStreamReasons(events)) {
      if (!streams.has(stream)) failures.push(`${stream}: not among these events, and the money depends on it (${why})`);
    }
  }
  const have = (stream) => complete.has(stream);

  // Each stream's events, upcast; an event that cannot be read is a failure and is left out.
  const read = (stream) => {
    const out = [];
    for (const e of streams.get(stream)) {
      const { data, error } = upcast(e);
      if (error) fail(e, error);
      else if (data) out.push({ e, d: data });
    }
    return out;
  };
  /** The amount field of an event, or a failure and null. */
  const amountOf = (e, d, field, subject) => {
    const value = fenOf(d[field]);
    if (value === null) failures.push(`${where(e)}${subject ? `, entitlement ${subject}` : ''}: ${field} is not an amount in fen (${JSON.stringify(d[field])})`);
    return value;
  };

  /** Claim events as each side records them, by `<entitlement stream>|<key>|<disbursementId>`, for the cross-check. */
  const claimSides = new Map();
  const side = (id) => {
    if (!claimSides.has(id)) claimSides.set(id, { entitlement: [], disbursement: [] });
    return claimSides.get(id);
  };

  /**
   * The claims part of an entitlement stream (a project for R1, an R2 or R3 ledger): checks each
   * claim event against the entitlement as the stream decides it at that revision.
   */
  function claimsOn(stream, entitledOf, describe) {
    const book = new Map();
    let expectedRecoveries = null;
    const settleRecoveries = (e) => {
      if (expectedRecoveries === null) return;
      for (const r of expectedRecoveries.list) {
        failures.push(`${where(expectedRecoveries.cause)}, entitlement ${describe(r.key)}: the reduction leaves disbursement ${r.disbursementId} paid ${money(r.amount)} beyond the entitlement, and ${e ? `the next event (revision ${e.revision}) is not its` : 'no'} EntitlementClaimRecovered`);
      }
      expectedRecoveries = null;
    };
    return {
      book,
      /** After an event that reduces entitlements: what must be clawed back, in the same append. */
      reduced(cause, keys) {
        const list = [];
        for (const key of keys) {
          const entitled = entitledOf(key);
          for (const r of overpaid(book.get(key) ?? [], entitled ?? 0)) list.push({ key, ...r });
        }
        expectedRecoveries = { cause, list };
      },
      /** Every event of the stream passes here first. */
      before(e) {
        if (e.type !== 'EntitlementClaimRecovered') settleRecoveries(e);
      },
      claim(e, d) {
        const key = String(d.entitlement);
        const subject = describe(key);
        const entitled = entitledOf(key);
        if (!book.has(key)) book.set(key, []);
        const list = book.get(key);
        const claim = list.find((c) => c.disbursementId === d.disbursementId);
        const record = side(`${stream}|${key}|${d.disbursementId}`).entitlement;
        checked.claims++;
        if (entitled === null) return fail(e, `claims entitlement ${subject}, which the stream does not grant`);
        switch (e.type) {
          case 'EntitlementClaimed': {
            const amount = amountOf(e, d, 'amount', subject);
            const owed = entitled - held(list);
            if (amount !== owed) differ(e, subject, 'the claim of disbursement ' + d.disbursementId, amount, owed);
            withClaim(book, key, d.disbursementId, owed);
            record.push({ e, kind: 'claimed', amount });
            break;
          }
          case 'EntitlementClaimPaid': {
            const amount = amountOf(e, d, 'amount', subject);
            if (claim?.status !== 'requested') return fail(e, `entitlement ${subject}: disbursement ${d.disbursementId} is paid without an open claim`);
            if (amount !== claim.amount) differ(e, subject, `the payment of disbursement ${d.disbursementId}`, amount, claim.amount);
            const before = paidNet(list);
            if (before + claim.amount > entitled) {
              fail(e, `entitlement ${subject}: paying disbursement ${d.disbursementId} ${money(claim.amount)} on top of ${money(before)} exceeds the ${money(entitled)} it entitles`);
            }
            claim.status = 'paid';
            record.push({ e, kind: 'paid', amount });
            break;
          }
          case 'EntitlementClaimReleased': {
            const wanted = d.reason === 'returned' ? 'paid' : 'requested';
            if (claim?.status !== wanted) return fail(e, `entitlement ${subject}: releases disbursement ${d.disbursementId} (${d.reason}), whose claim is ${claim?.status ?? 'absent'}, not ${wanted}`);
            if (d.reason === 'returned' && claim.recovered > 0) fail(e, `entitlement ${subject}: disbursement ${d.disbursementId} is returned whole after ${money(claim.recovered)} was clawed back`);
            claim.status = 'released';
            record.push({ e, kind: `released (${d.reason})`, amount: null });
            break;
          }
          case 'EntitlementClaimRecovered': {
            const amount = amountOf(e, d, 'amount', subject);
            record.push({ e, kind: `recovered ${d.clawbackId}`, amount });
            if (claim?.status !== 'paid') return fail(e, `entitlement ${subject}: recovers from disbursement ${d.disbursementId}, whose claim is ${claim?.status ?? 'absent'}, not paid`);
            if (amount === null) return;
            if (d.cause === 'entitlement_reduced') {
              const expected = expectedRecoveries?.list.findIndex((r) => r.key === key && r.disbursementId === d.disbursementId) ?? -1;
              if (expected === -1) fail(e, `entitlement ${subject}: recovers ${money(amount)} from disbursement ${d.disbursementId} for a reduction, but no reduction just before it leaves that disbursement overpaid`);
              else {
                const [r] = expectedRecoveries.list.splice(expected, 1);
                if (r.amount !== amount) differ(e, subject, `the recovery from disbursement ${d.disbursementId}`, amount, r.amount);
              }
              claim.reduced += amount;
            } else if (amount > claim.amount - claim.recovered) {
              fail(e, `entitlement ${subject}: recovers ${money(amount)} from disbursement ${d.disbursementId}, which has only ${money(claim.amount - claim.recovered)} left to recover`);
            }
            claim.recovered += amount;
            break;
          }
          default:
            break;
        }
      },
      /** At the end of the stream: nothing is paid beyond what it entitles. */
      end(last) {
        settleRecoveries(null);
        for (const [key, list] of book) {
          const entitled = entitledOf(key) ?? 0;
          const net = paidNet(list);
          if (net > entitled) failures.push(`${stream} revision ${last}, entitlement ${describe(key)}: paid ${money(net)} net of recoveries, beyond the ${money(entitled)} it entitles`);
        }
      },
    };
  }

  // Projects (project/decide-promotion.ts, evolve-promotion.ts).
  const projects = new Map();
  // R2 ledgers, by stream (subsidy/r2-ledger.ts).
  const r2 = new Map();
  const disbursements = new Map();
  const bankClaims = new Map();
  const policies = new Map();

  for (const stream of [...complete].sort()) {
    const kind = kindOf(stream);
    const list = read(stream);
    const last = streams.get(stream).length - 1;
    if (kind === 'programme') {
      const launched = list.find(({ e }) => e.type === 'ProgrammeLaunched');
      if (launched) policies.set(String(launched.d.programmeId), { e: launched.e, policy: launched.d.policy });
    } else if (kind === 'project') {
      checked.projects++;
      const p = { projectId: stream.slice('project-'.length), bureau: LEGACY_BUREAU_CODE, policy: null, lead: null, programmeId: null, submitted: null, r1: null, contracts: new Map(), payments: new Map(), legacyR1: [] };
      projects.set(p.projectId, p);
      const claims = claimsOn(stream, (key) => (key === 'R1' && p.r1 ? p.r1.amount : null), (key) => `${stream}/${key}`);
      p.claims = claims;
      for (const { e, d } of list) {
        claims.before(e);
        switch (e.type) {
          case 'ProjectSubmitted':
            p.policy = d.policy ?? null;
            p.bureau = d.bureauCode ?? LEGACY_BUREAU_CODE;
            p.lead = d.leadEnterprise?.creditCode ?? null;
            p.programmeId = d.programmeId;
            p.submitted = e;
            break;
          case 'SelectionGrantAwarded': {
            checked.r1Grants++;
            const subject = `${stream}/R1`;
            const amount = amountOf(e, d, 'amount', subject);
            const granted = fenOf(p.policy?.r1GrantAmount);
            if (granted === null) { fail(e, 'the project records no R1 grant amount in its policy'); break; }
            if (p.r1) { fail(e, `a second R1 award; the project was awarded its one-time grant at revision ${p.r1.e.revision}`); break; }
            if (amount !== granted) differ(e, subject, 'the R1 award', amount, granted);
            if (d.payeeCreditCode !== p.lead) fail(e, `the R1 grant goes to ${d.payeeCreditCode}, not the lead enterprise ${p.lead}`);
            p.r1 = { e, amount: granted, disbursementId: d.disbursementId };
            if (d.impliesClaim) {
              withClaim(claims.book, 'R1', d.disbursementId, granted);
              side(`${stream}|R1|${d.disbursementId}`).entitlement.push({ e, kind: 'claimed', amount: granted, implied: true });
            }
            break;
          }
          case 'ConversionContractRegistered':
            p.contracts.set(d.contractId, {
              transferor: d.transferor?.creditCode ?? p.lead,
              transferee: d.transferee?.creditCode ?? null,
              amount: amountOf(e, d, 'amount', null) ?? 0,
              paid: 0,
            });
            break;
          case 'ContractPaymentConfirmed': {
            const contract = p.contracts.get(d.contractId);
            const amount = amountOf(e, d, 'amount', null);
            if (!contract) { fail(e, `payment ${d.paymentId} is on contract ${d.contractId}, which the project never registered`); break; }
            if (p.payments.has(d.paymentId)) { fail(e, `payment ${d.paymentId} is confirmed twice`); break; }
            if (amount === null) break;
            if (contract.paid + amount > contract.amount) fail(e, `payment ${d.paymentId} of ${money(amount)} brings contract ${d.contractId} to ${money(contract.paid + amount)}, beyond its ${money(contract.amount)}`);
            const beneficiary = (p.policy?.r2Beneficiary ?? 'transferee') === 'transferee' ? contract.transferee : contract.transferor;
            if (d.enterpriseCreditCode !== beneficiary) fail(e, `payment ${d.paymentId} is assessed for ${d.enterpriseCreditCode}; the policy's beneficiary (${p.policy?.r2Beneficiary ?? 'transferee'}) of contract ${d.contractId} is ${beneficiary}`);
            contract.paid += amount;
            // `bank`: the reference it holds now (a correction replaces it); `banks`: every one it was recorded with.
            p.payments.set(d.paymentId, { e, d, amount, ledger: r2Ledger(p.bureau, d.enterpriseCreditCode, yearOf(d.paidOn)), reversed: null, recorded: {}, bank: d.bankReference, banks: [d.bankReference] });
            break;
          }
          case 'ContractPaymentReversed': {
            const payment = p.payments.get(d.paymentId);
            if (!payment || payment.reversed) { fail(e, `reverses payment ${d.paymentId}, which is ${payment ? 'already reversed' : 'not confirmed'}`); break; }
            const amount = amountOf(e, d, 'amount', null);
            if (amount !== payment.amount) differ(e, null, `the reversal of payment ${d.paymentId}`, amount, payment.amount);
            if (d.contractId !== payment.d.contractId) fail(e, `payment ${d.paymentId} is on contract ${payment.d.contractId}, not ${d.contractId}`);
            const contract = p.contracts.get(payment.d.contractId);
            if (contract) contract.paid -= payment.amount;
            payment.reversed = e;
            break;
          }
          case 'SubsidyAssessmentRecorded': {
            const payment = p.payments.get(d.paymentId);
            if (!payment) { fail(e, `records an assessment of payment ${d.paymentId}, which is not confirmed`); break; }
            if (d.ledgerStream !== payment.ledger) fail(e, `payment ${d.paymentId} is assessed on ${payment.ledger}, not ${d.ledgerStream}`);
            if (d.step === 'reversal' && !payment.reversed) fail(e, `records the reversal assessment of payment ${d.paymentId}, which is not reversed`);
            const zero = d.step === 'payment' ? 'clawback' : 'subsidyGranted';
            const zeroValue = amountOf(e, d, zero, null);
            if (zeroValue !== 0) differ(e, null, `${zero} of the ${d.step} step of payment ${d.paymentId}`, zeroValue, 0);
            payment.recorded[d.step] = { e, amount: amountOf(e, d, d.step === 'payment' ? 'subsidyGranted' : 'clawback', null) };
            break;
          }
          // Corrections (project/corrections.ts): applied at the approval, never by the requester.
          case 'MoneyCorrectionApproved': {
            checked.corrections++;
            const c = d.correction ?? {};
            if (d.approvedBy === d.requestedBy) fail(e, `money correction ${d.correctionId} is approved by ${d.approvedBy}, who requested it (four eyes)`);
            if (c.kind === 'contract_amount') {
              const contract = p.contracts.get(c.contractId);
              if (!contract) { fail(e, `corrects contract ${c.contractId}, which the project never registered`); break; }
              const amount = amountOf(e, c, 'amount', null);
              if (amountOf(e, c, 'previousAmount', null) !== contract.amount) differ(e, null, `the previous amount of contract ${c.contractId}`, fenOf(c.previousAmount), contract.amount);
              if (amount === null) break;
              if (amount < contract.paid) fail(e, `corrects contract ${c.contractId} to ${money(amount)}, below the ${money(contract.paid)} already paid on it`);
              contract.amount = amount;
            } else if (c.kind === 'payment_bank_reference') {
              const payment = p.payments.get(c.paymentId);
              if (!payment) { fail(e, `corrects the bank reference of payment ${c.paymentId}, which is not confirmed`); break; }
              if (c.previousBankReference !== payment.bank) fail(e, `corrects bank reference ${c.previousBankReference} of payment ${c.paymentId}, which holds ${payment.bank}`);
              payment.bank = c.bankReference;
              payment.banks.push(c.bankReference);
            } else if (c.kind !== 'payment_refund') fail(e, `a money correction of an unknown kind ${JSON.stringify(c.kind)}`);
            // A refund's ContractPaymentReversed follows in the same append and is checked as any reversal.
            break;
          }
          default:
            if (CLAIM_TYPES.has(e.type)) claims.claim(e, d);
        }
      }
      claims.end(last);
    } else if (kind === 'r2' || kind === 'r3') {
      const [, , bureauPart, creditCode, yearText] = LEDGER.exec(stream);
      const bureau = bureauPart ?? LEGACY_BUREAU_CODE;
      const year = Number(yearText);
      const isR2 = kind === 'r2';
      if (isR2) checked.r2Ledgers++;
      else checked.r3Ledgers++;
      const ledger = { stream, creditCode, year, policy: null, opened: null, entries: [], byKey: new Map(), entitlement: 0 };
      if (isR2) r2.set(stream, ledger);
      const keyOf = (entry) => (isR2 ? `${entry.projectId}/${entry.paymentId}` : entry.transactionId);
      const entryFor = (key) => ledger.byKey.get(key);
      const claims = claimsOn(stream, (key) => entryFor(key)?.entitlement ?? null, (key) => `${stream}/${key}`);
      const recompute = (entries) => (isR2 ? recomputeR2(entries, ledger.policy) : recomputeR3(entries, ledger.policy)).entitlement;
      /** Checks entitlementBefore/After and the granted or clawed-back figure; returns the recomputed change. */
      const figures = (e, d, subject, after, changeField) => {
        const before = ledger.entitlement;
        const recorded = { before: amountOf(e, d, 'entitlementBefore', subject), after: amountOf(e, d, 'entitlementAfter', subject), change: amountOf(e, d, changeField, subject) };
        const change = changeField === 'clawback' ? before - after : after - before;
        if (recorded.before !== before) differ(e, subject, 'entitlementBefore', recorded.before, before);
        if (recorded.after !== after) differ(e, subject, 'entitlementAfter', recorded.after, after);
        if (recorded.change !== change) differ(e, subject, changeField, recorded.change, change);
        ledger.entitlement = after;
        return change;
      };
      for (const { e, d } of list) {
        claims.before(e);
        switch (e.type) {
          case 'R2LedgerOpened':
          case 'R3LedgerOpened': {
            if (e.revision !== 0 || ledger.policy) fail(e, 'the ledger is opened anywhere but at revision 0');
            if (d.creditCode !== creditCode || d.year !== year || d.bureauCode !== bureau) fail(e, `opens the ${d.year} ledger of ${d.creditCode} under ${d.bureauCode} on stream ${stream}`);
            const fields = isR2 ? ['r2RateBps', 'r2Threshold', 'r2AnnualCap'] : ['r3RateBps', 'r3AnnualCap'];
            const policy = { ...d.policy };
            for (const field of fields) policy[field] = fenOf(d.policy?.[field]);
            if (fields.some((f) => policy[f] === null) || (isR2 && !['per_contract', 'per_year'].includes(policy.r2ThresholdMode))) {
              fail(e, `the ledger's policy is not one the rules can apply: ${JSON.stringify(d.policy)}`);
            } else ledger.policy = policy;
            ledger.opened = e;
            break;
          }
          case 'R2PaymentAssessed':
          case 'R3TransactionRecorded': {
            const entry = isR2
              ? { projectId: d.projectId, paymentId: d.paymentId, contractId: d.contractId, paidOn: d.paidOn, bankReference: d.bankReference }
              : { transactionId: d.transactionId };
            const subject = `${stream}/${keyOf(entry)}`;
            if (isR2) checked.r2Assessments++;
            else checked.r3Transactions++;
            if (!ledger.policy) { fail(e, 'assessed before the ledger was opened with its policy'); break; }
            if (entryFor(keyOf(entry))) { fail(e, `entitlement ${subject} is assessed twice`); break; }
            const on = isR2 ? d.paidOn : d.occurredOn;
            if (yearOf(on) !== year) fail(e, `entitlement ${subject}: dated ${on}, it does not belong to the ${year} ledger`);
            const amount = amountOf(e, d, 'amount', subject);
            if (amount === null) break;
            Object.assign(entry, { amount, reversed: false, entitlement: 0, e, reversal: null });
            ledger.entries.push(entry);
            ledger.byKey.set(keyOf(entry), entry);
            const before = ledger.entitlement;
            entry.entitlement = figures(e, d, subject, recompute(ledger.entries), 'subsidyGranted');
            entry.granted = ledger.entitlement - before;
            break;
          }
          case 'R2ReversalAssessed':
          case 'R3TransactionReversed': {
            if (isR2) checked.r2Reversals++;
            else checked.r3Reversals++;
            const index = ledger.entries.findIndex((x) => (isR2 ? x.paymentId === d.paymentId && (d.projectId === undefined || x.projectId === d.projectId) : x.transactionId === d.transactionId));
            const entry = ledger.entries[index];
            const named = isR2 ? `${d.projectId ?? '(first)'}/${d.paymentId}` : d.transactionId;
            if (!entry) { fail(e, `reverses ${named}, which the ledger never assessed`); break; }
            const subject = `${stream}/${keyOf(entry)}`;
            if (entry.reversed) { fail(e, `entitlement ${subject} is reversed twice`); break; }
            entry.reversed = true;
            const clawback = figures(e, d, subject, recompute(ledger.entries), 'clawback');
            entry.reversal = { e, clawback };
            spreadReduction(ledger.entries, index, clawback);
            claims.reduced(e, ledger.entries.map(keyOf));
            break;
          }
          default:
            if (CLAIM_TYPES.has(e.type)) claims.claim(e, d);
        }
      }
      claims.end(last);
    } else if (kind === 'disbursement') {
      checked.disbursements++;
      const id = stream.slice('disbursement-'.length);
      const state = { id, status: 'none', ref: null, target: null, rule: null, amount: 0, paidWith: null, clawedBack: 0, clawbackIds: new Set(), projectId: null, payee: null, events: [], paidNet: 0 };
      disbursements.set(id, state);
      const mirror = (e, kind, amount) => {
        if (state.target) side(`${state.target.stream}|${state.target.key}|${id}`).disbursement.push({ e, kind, amount });
      };
      for (const { e, d } of list) {
        const subject = state.target ? `${state.target.stream}/${state.target.key}` : null;
        switch (e.type) {
          case 'DisbursementRequested': {
            if (state.status !== 'none') { fail(e, 'requested twice'); break; }
            Object.assign(state, { status: 'requested', ref: d.entitlement, target: entitlementOf(d.entitlement), rule: d.rule, projectId: d.projectId ?? null, payee: d.payee?.creditCode ?? null, request: e });
            state.amount = amountOf(e, d, 'amount', state.target ? `${state.target.stream}/${state.target.key}` : null) ?? 0;
            if (d.entitlement === null) checked.legacyDisbursements++;
            else if (!state.target) fail(e, `names no entitlement the rules know: ${JSON.stringify(d.entitlement)}`);
            else {
              if (d.rule !== d.entitlement.rule) fail(e, `is a ${d.rule} disbursement paying the ${d.entitlement.rule} entitlement ${state.target.stream}/${state.target.key}`);
              if (d.entitlement.rule !== 'R3' && d.projectId !== d.entitlement.projectId) fail(e, `names project ${d.projectId} but pays entitlement ${state.target.stream}/${state.target.key}`);
              if (d.entitlement.rule !== 'R1' && state.payee !== d.entitlement.creditCode) fail(e, `pays ${state.payee}; entitlement ${state.target.stream}/${state.target.key} is owed to ${d.entitlement.creditCode}`);
            }
            mirror(e, 'claimed', state.amount);
            break;
          }
          case 'DisbursementApproved':
            if (state.status !== 'requested') fail(e, `approved while ${state.status}`);
            else state.status = 'approved';
            break;
          case 'DisbursementCancelled':
            if (!['requested', 'approved'].includes(state.status)) fail(e, `cancelled while ${state.status}`);
            state.status = 'cancelled';
            mirror(e, 'released (cancelled)', null);
            break;
          case 'DisbursementPaid': {
            checked.disbursementsPaid++;
            const amount = amountOf(e, d, 'amount', subject);
            if (state.status !== 'approved') fail(e, `paid while ${state.status}`);
            if (amount !== state.amount) differ(e, subject, `the payment of disbursement ${id}`, amount, state.amount);
            state.status = 'paid';
            state.paidWith = d.bankReference;
            state.paidNet = state.amount;
            mirror(e, 'paid', amount);
            break;
          }
          case 'DisbursementReversed': {
            const amount = amountOf(e, d, 'amount', subject);
            if (state.status !== 'paid') fail(e, `returned while ${state.status}`);
            if (state.clawedBack > 0) fail(e, `returned whole after ${money(state.clawedBack)} was clawed back`);
            if (amount !== state.amount) differ(e, subject, `the return of disbursement ${id}`, amount, state.amount);
            if (d.originalBankReference !== state.paidWith) fail(e, `names bank reference ${d.originalBankReference}; the disbursement was paid with ${state.paidWith}`);
            state.status = 'reversed';
            state.paidNet = 0;
            mirror(e, 'released (returned)', null);
            break;
          }
          case 'DisbursementClawedBack': {
            checked.clawbacks++;
            const amount = amountOf(e, d, 'amount', subject);
            mirror(e, `recovered ${d.clawbackId}`, amount);
            if (state.status !== 'paid') { fail(e, `clawed back while ${state.status}`); break; }
            if (state.clawbackIds.has(d.clawbackId)) fail(e, `clawback ${d.clawbackId} is recorded twice`);
            if (d.originalBankReference !== state.paidWith) fail(e, `names bank reference ${d.originalBankReference}; the disbursement was paid with ${state.paidWith}`);
            if (amount === null) break;
            if (amount > state.amount - state.clawedBack) fail(e, `claws back ${money(amount)} of disbursement ${id}, which has only ${money(state.amount - state.clawedBack)} left of what it paid`);
            state.clawedBack += amount;
            state.clawbackIds.add(d.clawbackId);
            state.paidNet = state.amount - state.clawedBack;
            break;
          }
          case 'DisbursementCorrectionApproved': {
            checked.corrections++;
            if (d.approvedBy === d.requestedBy) fail(e, `correction ${d.correctionId} is approved by ${d.approvedBy}, who requested it (four eyes)`);
            if (state.status !== 'paid') fail(e, `corrected while ${state.status}`);
            if (d.correction?.kind === 'bank_reference') {
              if (d.correction.previousBankReference !== state.paidWith) fail(e, `corrects bank reference ${d.correction.previousBankReference}; the disbursement was paid with ${state.paidWith}`);
              state.paidWith = d.correction.bankReference;
            }
            // A clawback's DisbursementClawedBack follows in the same append and is checked as any clawback.
            break;
          }
          default:
            break;
        }
      }
    } else if (kind === 'bank-reference') {
      checked.bankReferences++;
      // Claimed once; a correction may release it (the payment was recorded with the wrong one), and
      // then another payment may claim it: at most one claim holds it at a time.
      let live = null;
      let claims = 0;
      for (const { e, d } of list) {
        if (e.type === 'BankReferenceClaimed') {
          claims++;
          if (live) fail(e, `claimed by ${d.claimant?.kind} ${d.claimant?.id} while ${live.claimant.kind} ${live.claimant.id} holds it; a bank reference is paid once`);
          live = { e, claimant: d.claimant ?? {} };
        } else if (e.type === 'BankReferenceReleased') {
          if (!live || live.claimant.kind !== d.claimant?.kind || live.claimant.id !== d.claimant?.id) fail(e, `released by ${d.claimant?.kind} ${d.claimant?.id}, which does not hold it`);
          live = null;
        }
      }
      if (claims === 0) failures.push(`${stream}: claimed 0 times; a bank reference is paid once`);
      if (live) bankClaims.set(stream.slice('bank-reference-'.length), live);
    }
  }

  // ------------------------------------------------------------------------------------------
  // Across streams: each fact recorded on two streams says the same on both.
  const cross = () => checked.crossChecks++;

  for (const p of projects.values()) {
    const programmeId = p.programmeId;
    const { e, policy } = policies.get(programmeId) ?? {};
    if (e && p.policy) {
      cross();
      for (const field of ['r1GrantAmount', 'r2RateBps', 'r2Threshold', 'r2AnnualCap', 'r2ThresholdMode', 'r2Beneficiary', 'r3RateBps', 'r3AnnualCap', 'rounding']) {
        if (policy?.[field] !== p.policy[field]) fail(p.submitted, `the policy copied from programme ${programmeId} has ${field} ${JSON.stringify(p.policy[field])}; ${where(e)} launched it with ${JSON.stringify(policy?.[field])}`);
      }
    }
  }

  for (const p of projects.values()) {
    for (const [paymentId, payment] of p.payments) {
      const ledger = r2.get(payment.ledger);
      const subject = `${payment.ledger}/${p.projectId}/${paymentId}`;
      if (ledger && have(payment.ledger)) {
        cross();
        const entry = ledger.byKey.get(`${p.projectId}/${paymentId}`);
        if (!entry) { fail(payment.e, `payment ${paymentId} of ${money(payment.amount)} is never assessed on ${payment.ledger}`); continue; }
        if (entry.amount !== payment.amount) differ(entry.e, subject, 'the assessed payment amount (the project confirmed it at revision ' + payment.e.revision + ')', entry.amount, payment.amount);
        for (const field of ['contractId', 'paidOn']) {
          if (entry[field] !== payment.d[field]) fail(entry.e, `entitlement ${subject}: ${field} ${entry[field]}, but the project confirmed ${payment.d[field]}`);
        }
        if (!payment.banks.includes(entry.bankReference)) fail(entry.e, `entitlement ${subject}: bankReference ${entry.bankReference}, but the project recorded ${payment.banks.join(', ')}`);
        if (payment.reversed && !entry.reversal) fail(payment.reversed, `payment ${paymentId} is refunded, but ${payment.ledger} never assessed the reversal: its entitlement still counts ${money(payment.amount)} of payments`);
        if (!payment.reversed && entry.reversal) fail(entry.reversal.e, `entitlement ${subject}: the ledger reverses a payment the project never reversed`);
        const recorded = payment.recorded.payment;
        if (!recorded) fail(payment.e, `payment ${paymentId}: the ledger's assessment (${money(entry.granted)} granted) is not recorded on the project`);
        else if (recorded.amount !== entry.granted) differ(recorded.e, subject, 'subsidyGranted', recorded.amount, entry.granted);
        if (entry.reversal) {
          const back = payment.recorded.reversal;
          if (!back) fail(payment.reversed ?? payment.e, `payment ${paymentId}: the ledger's reversal (${money(entry.reversal.clawback)} clawed back) is not recorded on the project`);
          else if (back.amount !== entry.reversal.clawback) differ(back.e, subject, 'clawback', back.amount, entry.reversal.clawback);
        }
      }
      const bank = bankClaims.get(payment.bank);
      if (bank) {
        cross();
        if (!namesPayment(bank.claimant, p.projectId, paymentId)) fail(bank.e, `bank reference ${payment.bank} is claimed by ${bank.claimant.kind} ${bank.claimant.id}, but ${where(payment.e)} pays with it`);
      }
    }
  }

  for (const d of disbursements.values()) {
    if (d.ref === null && d.rule === 'R1') projects.get(d.projectId)?.legacyR1.push(d);
  }
  for (const p of projects.values()) {
    if (p.legacyR1.length > 0 && p.r1) {
      cross();
      const net = p.legacyR1.reduce((sum, d) => sum + d.paidNet, 0);
      if (net > p.r1.amount) fail(p.r1.e, `legacy disbursements ${p.legacyR1.map((d) => d.id).join(', ')} paid ${money(net)} net for the R1 grant of ${money(p.r1.amount)}`);
    }
  }

  for (const ledger of r2.values()) {
    for (const entry of ledger.entries) {
      const p = projects.get(entry.projectId);
      const subject = `${ledger.stream}/${entry.projectId}/${entry.paymentId}`;
      if (p) {
        cross();
        const payment = p.payments.get(entry.paymentId);
        if (!payment || payment.ledger !== ledger.stream) fail(entry.e, `entitlement ${subject}: project ${entry.projectId} confirmed no such payment assessed on this ledger`);
        else if (entry.reversal && !payment.reversed) fail(entry.reversal.e, `entitlement ${subject}: project ${entry.projectId} never reversed this payment`);
      }
      // The reference the payment holds now (a corrected one replaces what the ledger assessed it with).
      const reference = p?.payments.get(entry.paymentId)?.bank ?? entry.bankReference;
      const bank = bankClaims.get(reference);
      if (bank) {
        cross();
        if (!namesPayment(bank.claimant, entry.projectId, entry.paymentId)) {
          fail(entry.e, `entitlement ${subject}: bank reference ${reference} is claimed by ${bank.claimant.kind} ${bank.claimant.id}`);
        }
      }
    }
    // The policy that opened the ledger is the one the first payment's project carries.
    const first = ledger.entries[0];
    const opener = first && projects.get(first.projectId);
    if (opener?.policy && ledger.policy) {
      cross();
      for (const field of ['r2RateBps', 'r2Threshold', 'r2AnnualCap', 'r2ThresholdMode']) {
        if (ledger.policy[field] !== opener.policy[field]) fail(ledger.opened, `the ledger's ${field} is ${JSON.stringify(ledger.policy[field])}; project ${opener.projectId}, whose payment opened it, carries ${JSON.stringify(opener.policy[field])}`);
      }
    }
  }

  for (const d of disbursements.values()) {
    if (d.paidWith !== null) {
      const bank = bankClaims.get(d.paidWith);
      if (bank) {
        cross();
        if (bank.claimant.kind !== 'disbursement' || bank.claimant.id !== d.id) fail(bank.e, `bank reference ${d.paidWith} is claimed by ${bank.claimant.kind} ${bank.claimant.id}, but disbursement ${d.id} was paid with it`);
      }
    }
    if (d.target && d.ref.rule === 'R1' && have(d.target.stream)) {
      const p = projects.get(d.ref.projectId);
      if (p?.lead && d.payee !== p.lead) fail(d.request, `pays ${d.payee}; the R1 grant of project ${d.ref.projectId} is owed to ${p.lead}`);
    }
  }
  for (const [reference, bank] of bankClaims) {
    if (bank.claimant.kind === 'disbursement') {
      const d = disbursements.get(bank.claimant.id);
      if (d && have(disbursementStream(bank.claimant.id))) cross();
      if (d && d.paidWith !== reference && have(disbursementStream(bank.claimant.id))) {
        fail(bank.e, `bank reference ${reference} is claimed by disbursement ${bank.claimant.id}, which records no payment with it`);
      }
    } else if (bank.claimant.kind === 'contract_payment') {
      // The claimant names `<project>.<payment>`: when that project is here, it must show the payment.
      const id = String(bank.claimant.id);
      const owner = [...id.matchAll(/\./g)].map((m) => projects.get(id.slice(0, m.index))).find((p) => p !== undefined);
      if (owner) cross();
      if (owner && ![...owner.payments.values()].some((x) => x.bank === reference && namesPayment(bank.claimant, owner.projectId, x.d.paymentId))) {
        fail(bank.e, `bank reference ${reference} is claimed by contract payment ${bank.claimant.id}, which project ${owner.projectId} does not record`);
      }
    }
  }

  // Each claim event on an entitlement's stream mirrors one event of the disbursement, in order.
  for (const [id, { entitlement, disbursement }] of claimSides) {
    const [stream, key, disbursementId] = id.split('|');
    if (!have(stream) || !have(disbursementStream(disbursementId))) continue;
    if (entitlement.some((x) => x.implied) && disbursements.get(disbursementId)?.ref === null) continue;
    cross();
    const subject = `${stream}/${key}`;
    const n = Math.max(entitlement.length, disbursement.length);
    for (let i = 0; i < n; i++) {
      const a = entitlement[i];
      const b = disbursement[i];
      if (a && b && a.kind === b.kind && a.amount === b.amount) continue;
      if (a && b && a.kind === b.kind) {
        failures.push(`${where(b.e)}, entitlement ${subject}: records ${money(b.amount)}; ${where(a.e)} records ${money(a.amount)} for disbursement ${disbursementId}`);
      } else if (b) {
        failures.push(`${where(b.e)}, entitlement ${subject}: ${b.kind}${b.amount === null ? '' : ` ${money(b.amount)}`} has no matching claim event on ${stream}${a ? ` (${where(a.e)} is ${a.kind})` : ''}`);
      } else {
        failures.push(`${where(a.e)}, entitlement ${subject}: ${a.kind}${a.amount === null ? '' : ` ${money(a.amount)}`} for disbursement ${disbursementId} has no matching event on ${disbursementStream(disbursementId)}`);
      }
      break;
    }
  }

  const skipped = partial === 'skip' && checked.incompleteStreams.length > 0 ? `; ${checked.incompleteStreams.length} incomplete stream(s) not replayed` : '';
  const summary =
    `recomputed R1 on ${checked.projects} project(s) (${checked.r1Grants} grant(s)), R2 on ${checked.r2Ledgers} ledger(s) (${checked.r2Assessments} payment(s), ${checked.r2Reversals} reversal(s)), ` +
    `R3 on ${checked.r3Ledgers} ledger(s) (${checked.r3Transactions} transaction(s), ${checked.r3Reversals} reversal(s)); ${checked.claims} claim event(s), ` +
    `${checked.disbursements} disbursement(s) (${checked.disbursementsPaid} paid, ${checked.clawbacks} clawback(s)${checked.legacyDisbursements ? `, ${checked.legacyDisbursements} legacy` : ''}), ` +
    `${checked.bankReferences} bank reference(s), ${checked.corrections ? `${checked.corrections} money correction(s), ` : ''}${checked.crossChecks} cross-stream check(s)${skipped}: ${failures.length === 0 ? 'every amount matches' : `${failures.length} problem(s)`}`;
  return { failures, summary, checked };
}
