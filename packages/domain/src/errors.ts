/**
 * The catalogue of refusals. Each code is stable (clients and auditors key on it) and carries a
 * kind so the HTTP layer can map it to a status without knowing each code:
 * rule → 409, not_found → 404, forbidden → 403.
 */
export type DomainErrorKind = 'rule' | 'not_found' | 'forbidden';

export const errorCatalogue = {
  // who may act
  ROLE_NOT_ALLOWED: 'forbidden',
  FOUR_EYES_VIOLATION: 'forbidden',
  CONFLICT_OF_INTEREST: 'forbidden',
  REVIEWER_NOT_ASSIGNED: 'forbidden',
  /** A command on a resource of another bureau the caller can read (one below it): 只能在本单位内操作. */
  BUREAU_FORBIDDEN: 'forbidden',
  /** A merged bureau is the bureau of no new command and takes no children. */
  BUREAU_MERGED: 'forbidden',
  /** A caller whose bureau is neither registered nor the legacy bureau cannot launch a programme. */
  BUREAU_NOT_REGISTERED: 'forbidden',
  /** Annual work summaries are submitted by city bureaus (seed 001). */
  SUMMARY_NOT_CITY: 'forbidden',
  // things that do not exist (yet)
  PROGRAMME_NOT_FOUND: 'not_found',
  PROJECT_NOT_FOUND: 'not_found',
  MILESTONE_NOT_FOUND: 'not_found',
  OBJECTION_NOT_FOUND: 'not_found',
  RECTIFICATION_NOT_FOUND: 'not_found',
  CHANGE_NOT_FOUND: 'not_found',
  CONTRACT_NOT_FOUND: 'not_found',
  PAYMENT_NOT_FOUND: 'not_found',
  DISBURSEMENT_NOT_FOUND: 'not_found',
  LEDGER_ENTRY_NOT_FOUND: 'not_found',
  ENTITLEMENT_NOT_FOUND: 'not_found',
  /** A money correction (of a project or a disbursement) that was never requested. */
  CORRECTION_NOT_FOUND: 'not_found',
  BUREAU_NOT_FOUND: 'not_found',
  // rules of the lifecycle
  ALREADY_EXISTS: 'rule',
  INVALID_STATE: 'rule',
  PROJECT_ENDED: 'rule',
  PROJECT_SUSPENDED: 'rule',
  WRONG_STAGE: 'rule',
  INVALID_DATE_RANGE: 'rule',
  SOLICITATION_CLOSED: 'rule',
  SOLICITATION_ALREADY_OPENED: 'rule',
  FOCUS_INDUSTRIES_FROZEN: 'rule',
  INDUSTRY_NOT_IN_FOCUS: 'rule',
  PROGRAMME_MISMATCH: 'rule',
  QUOTA_REACHED: 'rule',
  SELECTION_SLOT_IN_USE: 'rule',
  /** A rule, not a missing resource: releasing a place nobody holds (any more) is a race lost, like a stale decision. */
  SELECTION_SLOT_NOT_FOUND: 'rule',
  LEAD_IS_PARTNER: 'rule',
  ALREADY_SCORED: 'rule',
  NO_EXPERT_SCORES: 'rule',
  PUBLICITY_NOT_OVER: 'rule',
  PUBLICITY_PERIOD_OVER: 'rule',
  PUBLICITY_BEFORE_SUBMISSION: 'rule',
  PUBLICITY_STARTS_IN_PAST: 'rule',
  OBJECTION_UNRESOLVED: 'rule',
  OBJECTION_UPHELD: 'rule',
  MILESTONE_OUTSIDE_CYCLE: 'rule',
  MILESTONES_NOT_ACCEPTED: 'rule',
  RECTIFICATION_OPEN: 'rule',
  CHANGE_NOT_PENDING: 'rule',
  EXTENSION_ALREADY_USED: 'rule',
  EXTENSION_TOO_LONG: 'rule',
  EXTENSION_REQUEST_TOO_LATE: 'rule',
  EXTENSION_NOT_PENDING: 'rule',
  MID_TERM_CHECK_ALREADY_DONE: 'rule',
  PAYMENT_EXCEEDS_CONTRACT: 'rule',
  BANK_REFERENCE_ALREADY_USED: 'rule',
  ACCEPTANCE_WINDOW_CLOSED: 'rule',
  ACCEPTANCE_NOT_CONCLUDED: 'rule',
  R1_ALREADY_AWARDED: 'rule',
  GRADE_ALREADY_RECORDED: 'rule',
  LEDGER_YEAR_MISMATCH: 'rule',
  LEDGER_PARTY_MISMATCH: 'rule',
  AMOUNT_OUT_OF_RANGE: 'rule',
  CLAWBACK_EXCEEDS_PAID: 'rule',
  NOT_IN_CITY: 'rule',
  ENTITLEMENT_SETTLED: 'rule',
  ENTITLEMENT_REDUCED: 'rule',
  PAYEE_MISMATCH: 'rule',
  CONTRACT_PARTIES_INVALID: 'rule',
  // corrections (compensating events that name the original)
  CORRECTION_NOT_PENDING: 'rule',
  NOTHING_TO_CORRECT: 'rule',
  // the registry of bureaus
  BUREAU_PARENT_INVALID: 'rule',
  BUREAU_HAS_CHILDREN: 'rule',
  /** A project's county is not a county-level bureau under its programme's bureau. */
  COUNTY_NOT_UNDER_BUREAU: 'rule',
  // corrections (issue 19)
  /** A programme's window or policy is amended only while no proposal was submitted to it. */
  PROGRAMME_HAS_PROPOSALS: 'rule',
  /** A programme withdrawn takes no proposals, approvals, amendments or windows. */
  PROGRAMME_WITHDRAWN: 'rule',
  /** A programme with selected projects cannot be withdrawn: terminate them one by one. */
  PROGRAMME_HAS_SELECTIONS: 'rule',
  /** The window was never opened: open it (OpenSolicitation) rather than amend it. */
  SOLICITATION_NOT_OPENED: 'rule',
  /** An approved proposal is not withdrawn but terminated (TerminateProject). */
  PROPOSAL_ALREADY_APPROVED: 'rule',
} as const satisfies Record<string, DomainErrorKind>;

export type DomainErrorCode = keyof typeof errorCatalogue;

/** The one error class of the domain: a refusal with a stable code. */
export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly kind: DomainErrorKind;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: DomainErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.kind = errorCatalogue[code];
    this.details = details;
  }
}

export function domainError(
  code: DomainErrorCode,
  message: string,
  details?: Record<string, unknown>,
): DomainError {
  return new DomainError(code, message, details);
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError;
}

export const domainErrorCodes = Object.keys(errorCatalogue) as readonly DomainErrorCode[];
