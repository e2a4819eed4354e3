import { table } from '../table.js';

export interface DisbursementRow {
  disbursement_id: string;
  rule: string;
  payee_name: string;
  payee_credit_code: string;
  project_id: string | null;
  basis: string;
  amount: number;
  /** requested, approved, cancelled, paid or reversed. */
  status: string;
  requested_by: string;
  requested_on: string;
  approved_by: string | null;
  approved_on: string | null;
  cancelled_on: string | null;
  paid_amount: number;
  paid_on: string | null;
  bank_reference: string | null;
  recorded_by: string | null;
  reversed_amount: number;
  reversed_on: string | null;
  clawed_back_amount: number;
  /** Its project's bureau (or, without a project, the bureau its event or ledger names). */
  bureau_code: string;
  bureau_path: string;
}

export const disbursements = table<DisbursementRow>({
  name: 'disbursements',
  key: 'disbursement_id',
  indexes: ['project_id', 'payee_credit_code', 'bureau_path text_pattern_ops', 'requested_on, disbursement_id'],
  scope: 'bureau_path',
  columns: {
    disbursement_id: 'text',
    rule: 'text',
    payee_name: 'text',
    payee_credit_code: 'text',
    project_id: 'text',
    basis: 'text',
    amount: 'bigint',
    status: 'text',
    requested_by: 'text',
    requested_on: 'date',
    approved_by: 'text',
    approved_on: 'date',
    cancelled_on: 'date',
    paid_amount: 'bigint',
    paid_on: 'date',
    bank_reference: 'text',
    recorded_by: 'text',
    reversed_amount: 'bigint',
    reversed_on: 'date',
    clawed_back_amount: 'bigint',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});

/** One money movement of a disbursement: paid out, returned by the bank, or clawed back. */
export interface MovementRow {
  movement_id: string;
  position: string;
  disbursement_id: string;
  rule: string;
  project_id: string | null;
  payee_credit_code: string;
  /** paid, reversed or clawed_back. */
  kind: string;
  amount: number;
  on_date: string;
  year: number;
  /** The disbursement's bureau. */
  bureau_code: string;
  bureau_path: string;
}

export const movements = table<MovementRow>({
  name: 'money_movements',
  key: 'movement_id',
  appendOnly: true,
  indexes: ['year, rule', 'project_id', 'bureau_path text_pattern_ops', 'on_date, movement_id'],
  scope: 'bureau_path',
  columns: {
    movement_id: 'text',
    position: 'text',
    disbursement_id: 'text',
    rule: 'text',
    project_id: 'text',
    payee_credit_code: 'text',
    kind: 'text',
    amount: 'bigint',
    on_date: 'date',
    year: 'integer',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});

/** A subsidy ledger of one party for one year: R2 per enterprise, R3 per transfer institution. */
export interface LedgerRow {
  ledger: string;
  rule: string;
  credit_code: string;
  year: number;
  annual_cap: number;
  rate_bps: number;
  threshold: number | null;
  threshold_mode: string | null;
  entries: number;
  /** Bank-paid turnover (R2) or in-city volume (R3) still standing, i.e. not reversed. */
  volume: number;
  reversed_volume: number;
  entitlement: number;
  granted: number;
  clawed_back: number;
  /** The government whose policy grants the cap (see the contract's ledger stream names). */
  bureau_code: string;
  bureau_path: string;
}

export const ledgers = table<LedgerRow>({
  name: 'subsidy_ledgers',
  key: 'ledger',
  indexes: ['credit_code, year', 'bureau_path text_pattern_ops'],
  scope: 'bureau_path',
  columns: {
    ledger: 'text',
    rule: 'text',
    credit_code: 'text',
    year: 'integer',
    annual_cap: 'bigint',
    rate_bps: 'integer',
    threshold: 'bigint',
    threshold_mode: 'text',
    entries: 'integer',
    volume: 'bigint',
    reversed_volume: 'bigint',
    entitlement: 'bigint',
    granted: 'bigint',
    clawed_back: 'bigint',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});

/** One assessed payment (R2) or transaction (R3) in a ledger. */
export interface LedgerEntryRow {
  entry_key: string;
  ledger: string;
  rule: string;
  entry_id: string;
  project_id: string | null;
  contract_id: string | null;
  amount: number;
  occurred_on: string;
  subsidy_granted: number;
  reversed: boolean;
  reversed_on: string | null;
  clawback: number;
  /** The ledger's bureau. */
  bureau_code: string;
  bureau_path: string;
}

export const ledgerEntries = table<LedgerEntryRow>({
  name: 'subsidy_entries',
  key: 'entry_key',
  indexes: ['ledger', 'project_id', 'bureau_path text_pattern_ops'],
  scope: 'bureau_path',
  columns: {
    entry_key: 'text',
    ledger: 'text',
    rule: 'text',
    entry_id: 'text',
    project_id: 'text',
    contract_id: 'text',
    amount: 'bigint',
    occurred_on: 'date',
    subsidy_granted: 'bigint',
    reversed: 'boolean',
    reversed_on: 'date',
    clawback: 'bigint',
    bureau_code: 'text',
    bureau_path: 'text',
  },
});
