import { toShanghaiDate } from '@gongguan/domain';
import type { RecordedEvent } from '@gongguan/event-store';
import type { RowStore } from '../engine/row-store.js';
import { domainStreams, type Projection } from '../projection.js';
import { bureauOf, bureaus, disbursementBureau, owners, registryHandlers, setOwner } from './bureaus.js';
import { disbursements, ledgerEntries, ledgers, movements, type DisbursementRow } from './money-tables.js';

function movement(rows: RowStore, event: RecordedEvent, d: DisbursementRow, kind: 'paid' | 'reversed' | 'clawed_back', amount: number, on: string): void {
  rows.insert(movements, {
    movement_id: event.id,
    position: event.position,
    disbursement_id: d.disbursement_id,
    rule: d.rule,
    project_id: d.project_id,
    payee_credit_code: d.payee_credit_code,
    kind,
    amount,
    on_date: on,
    year: Number(on.slice(0, 4)),
    bureau_code: d.bureau_code,
    bureau_path: d.bureau_path,
  });
}

function disbursement(rows: RowStore, id: string): DisbursementRow {
  const row = rows.get(disbursements, id);
  if (row === undefined) throw new Error(`disbursement ${id} was never requested`);
  return row;
}

/**
 * The money: every disbursement with its status and four-eyes trail, each money movement by rule
 * and date (for money by year), and the R2/R3 subsidy ledgers with their caps.
 */
export const moneyProjection: Projection = {
  name: 'money',
  // 3: bureau_code and bureau_path on every row (issue 18); project streams read for their bureaus only.
  // 5: a disbursement's corrected bank reference (issue 19).
  version: 5,
  description: 'disbursement ledger, money movements, R2 enterprise-year and R3 institution-year subsidy ledgers',
  tables: [disbursements, movements, ledgers, ledgerEntries, bureaus, owners],
  streams: [domainStreams.disbursement, domainStreams.r2Ledger, domainStreams.r3Ledger, domainStreams.project, domainStreams.bureauRegistry],
  handlers: {
    ...registryHandlers,
    // Money follows its project's bureau (ProjectSubmitted carries it: its programme's); a ledger's is the one it was opened with.
    ProjectSubmitted: (rows, d) => setOwner(rows, 'project', d.projectId, d.bureauCode),
    DisbursementRequested: (rows, d) => {
      const code = disbursementBureau(rows, d.projectId, d.entitlement);
      setOwner(rows, 'disbursement', d.disbursementId, code);
      rows.put(disbursements, {
        disbursement_id: d.disbursementId,
        rule: d.rule,
        payee_name: d.payee.name,
        payee_credit_code: d.payee.creditCode,
        project_id: d.projectId ?? null,
        basis: d.basis,
        amount: d.amount,
        status: 'requested',
        requested_by: d.requestedBy,
        requested_on: toShanghaiDate(d.at),
        approved_by: null,
        approved_on: null,
        cancelled_on: null,
        paid_amount: 0,
        paid_on: null,
        bank_reference: null,
        recorded_by: null,
        reversed_amount: 0,
        reversed_on: null,
        clawed_back_amount: 0,
        ...bureauOf(rows, code),
      });
    },
    DisbursementApproved: (rows, d) =>
      rows.update(disbursements, d.disbursementId, (r) => ({ ...r, status: 'approved', approved_by: d.approvedBy, approved_on: toShanghaiDate(d.at) })),
    DisbursementCancelled: (rows, d) =>
      rows.update(disbursements, d.disbursementId, (r) => ({ ...r, status: 'cancelled', cancelled_on: toShanghaiDate(d.at) })),
    DisbursementPaid: (rows, d, e) => {
      const r = disbursement(rows, d.disbursementId);
      rows.put(disbursements, { ...r, status: 'paid', paid_amount: d.amount, paid_on: d.paidOn, bank_reference: d.bankReference, recorded_by: d.recordedBy });
      movement(rows, e, r, 'paid', d.amount, d.paidOn);
    },
    DisbursementReversed: (rows, d, e) => {
      const r = disbursement(rows, d.disbursementId);
      rows.put(disbursements, { ...r, status: 'reversed', reversed_amount: r.reversed_amount + d.amount, reversed_on: d.reversedOn });
      movement(rows, e, r, 'reversed', d.amount, d.reversedOn);
    },
    DisbursementClawedBack: (rows, d, e) => {
      const r = disbursement(rows, d.disbursementId);
      rows.put(disbursements, { ...r, clawed_back_amount: r.clawed_back_amount + d.amount });
      movement(rows, e, r, 'clawed_back', d.amount, d.decidedOn);
    },

    DisbursementCorrectionApproved: (rows, d) => {
      const { correction } = d;
      if (correction.kind === 'bank_reference') rows.update(disbursements, d.disbursementId, (r) => ({ ...r, bank_reference: correction.bankReference }));
    },

    R2LedgerOpened: (rows, d, e) =>
      rows.put(ledgers, {
        ledger: e.stream,
        rule: 'R2',
        credit_code: d.creditCode,
        year: d.year,
        annual_cap: d.policy.r2AnnualCap,
        rate_bps: d.policy.r2RateBps,
        threshold: d.policy.r2Threshold,
        threshold_mode: d.policy.r2ThresholdMode,
        entries: 0,
        volume: 0,
        reversed_volume: 0,
        entitlement: 0,
        granted: 0,
        clawed_back: 0,
        ...bureauOf(rows, d.bureauCode),
      }),
    R2PaymentAssessed: (rows, d, e) => {
      recordEntry(rows, e.stream, { rule: 'R2', entryId: r2EntryId(rows, e.stream, d.projectId, d.paymentId), projectId: d.projectId, contractId: d.contractId, amount: d.amount, occurredOn: d.paidOn, subsidyGranted: d.subsidyGranted, entitlementAfter: d.entitlementAfter });
    },
    R2ReversalAssessed: (rows, d, e) =>
      reverseEntry(rows, e.stream, d.projectId === undefined ? d.paymentId : r2EntryId(rows, e.stream, d.projectId, d.paymentId), d.reversedOn, d.entitlementAfter, d.clawback),

    R3LedgerOpened: (rows, d, e) =>
      rows.put(ledgers, {
        ledger: e.stream,
        rule: 'R3',
        credit_code: d.creditCode,
        year: d.year,
        annual_cap: d.policy.r3AnnualCap,
        rate_bps: d.policy.r3RateBps,
        threshold: null,
        threshold_mode: null,
        entries: 0,
        volume: 0,
        reversed_volume: 0,
        entitlement: 0,
        granted: 0,
        clawed_back: 0,
        ...bureauOf(rows, d.bureauCode),
      }),
    R3TransactionRecorded: (rows, d, e) => {
      recordEntry(rows, e.stream, { rule: 'R3', entryId: d.transactionId, projectId: null, contractId: null, amount: d.amount, occurredOn: d.occurredOn, subsidyGranted: d.subsidyGranted, entitlementAfter: d.entitlementAfter });
    },
    R3TransactionReversed: (rows, d, e) => reverseEntry(rows, e.stream, d.transactionId, d.reversedOn, d.entitlementAfter, d.clawback),
  },
};

/**
 * An R2 entry is (project, payment): payment ids are unique only within a project. The first entry
 * of a payment id keeps the plain id (as before, and as v1 reversals, which name no project, find
 * it); an entry of another project with the same payment id is `<projectId>/<paymentId>`.
 */
function r2EntryId(rows: RowStore, ledger: string, projectId: string, paymentId: string): string {
  const first = rows.get(ledgerEntries, `${ledger}/${paymentId}`);
  return first === undefined || first.project_id === projectId ? paymentId : `${projectId}/${paymentId}`;
}

interface NewEntry {
  rule: 'R2' | 'R3';
  entryId: string;
  projectId: string | null;
  contractId: string | null;
  amount: number;
  occurredOn: string;
  subsidyGranted: number;
  entitlementAfter: number;
}

/** An assessed payment (R2) or transaction (R3): its ledger row, and the ledger's totals. */
function recordEntry(rows: RowStore, ledger: string, entry: NewEntry): void {
  // A ledger's first event opens it (with its bureau): an entry before it is a broken stream.
  const owner = rows.get(ledgers, ledger);
  if (owner === undefined) throw new Error(`ledger ${ledger} was never opened`);
  rows.put(ledgerEntries, {
    entry_key: `${ledger}/${entry.entryId}`,
    ledger,
    rule: entry.rule,
    entry_id: entry.entryId,
    project_id: entry.projectId,
    contract_id: entry.contractId,
    amount: entry.amount,
    occurred_on: entry.occurredOn,
    subsidy_granted: entry.subsidyGranted,
    reversed: false,
    reversed_on: null,
    clawback: 0,
    bureau_code: owner.bureau_code,
    bureau_path: owner.bureau_path,
  });
  rows.update(ledgers, ledger, (l) => ({
    ...l,
    entries: l.entries + 1,
    volume: l.volume + entry.amount,
    entitlement: entry.entitlementAfter,
    granted: l.granted + entry.subsidyGranted,
  }));
}

function reverseEntry(rows: RowStore, ledger: string, entryId: string, reversedOn: string, entitlementAfter: number, clawback: number): void {
  const entry = rows.get(ledgerEntries, `${ledger}/${entryId}`);
  if (entry === undefined) throw new Error(`ledger ${ledger} has no entry ${entryId}`);
  rows.put(ledgerEntries, { ...entry, reversed: true, reversed_on: reversedOn, clawback: entry.clawback + clawback });
  rows.update(ledgers, ledger, (l) => ({
    ...l,
    volume: l.volume - entry.amount,
    reversed_volume: l.reversed_volume + entry.amount,
    entitlement: entitlementAfter,
    clawed_back: l.clawed_back + clawback,
  }));
}
