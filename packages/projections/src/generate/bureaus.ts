import {
  BUREAU_REGISTRY_STREAM,
  BureauDirectory,
  bureauOfRef,
  programmeSnapshot,
  r2Ledger,
  r3Ledger,
  taizhouPolicy,
  type Actor,
  type BureauRegistryState,
  type EntitlementRef,
  type ProgrammeState,
  type R2LedgerState,
  type R3LedgerState,
} from '@gongguan/domain';
import { onBankReference, onBureauRegistry, onDisbursement, onProgramme, onProject, onR2Ledger, onR3Ledger } from './commands.js';
import { onPayout } from './money-steps.js';
import type { GeneratedAppend, World } from './world.js';

/** One bureau of a multi-bureau story: its code, and the ids its facts get (`<id>-prog`, `<id>-p1`…). */
export interface BureauPlan {
  id: string;
  code: string;
  name: string;
  /** The applicant's county (a county bureau under `code`) named on the project, if any. */
  countyCode?: string;
}

export interface BureauStoryResult {
  programmeId: string;
  projectId: string;
  /** The R2 and R3 ledgers the story opened (the bureau's own stream names). */
  r2Ledger: string;
  r3Ledger: string;
  /** Fen paid out in 2024 by the bureau: the R1 grant and what its R2 and R3 ledgers entitled. */
  paid: number;
}

const admin: Actor = { id: 'admin-1', role: 'admin' };
const LEAD = { name: '台州泵业有限公司', creditCode: '91331000MA28A1B2CY' };
const INSTITUTION = { name: '台州技术转移中心', creditCode: '12331000470000001L' };
const R2_POLICY = { r2RateBps: 500, r2Threshold: 100_000_000, r2AnnualCap: 100_000_000, r2ThresholdMode: 'per_contract' as const };

/**
 * Registers bureaus through the registry's decider (as `POST /v1/bureaus` does), each under its
 * default parent: parents first.
 */
export function registerBureaus(world: World, bureaus: ReadonlyArray<{ code: string; name: string }>, registeredOn = '2024-01-02'): void {
  for (const b of bureaus) onBureauRegistry(world, 'registry', 'RegisterBureau', { code: b.code, name: b.name, registeredOn }, admin, registeredOn);
}

/**
 * One bureau's year through the domain's deciders, as its own staff would do it over the lifecycle
 * API: a programme of the bureau, one project selected with a task book (milestone `m1` due
 * 2024-05-01, so overdue by mid-year), its R1 grant paid; an R2 payment assessed on the bureau's
 * own ledger for the enterprise (the same enterprise in every bureau: separate ledgers) and its
 * subsidy paid; an R3 transaction on the bureau's institution ledger and its subsidy paid (a
 * disbursement with no project: its bureau is the ledger's). `n` keeps bank references apart.
 */
export function bureauStory(world: World, b: BureauPlan, n: number): BureauStoryResult {
  const officer: Actor = { id: `${b.id}-officer`, role: 'officer' };
  const officer2: Actor = { id: `${b.id}-officer2`, role: 'officer' };
  const approver: Actor = { id: `${b.id}-approver`, role: 'approver' };
  const reviewer: Actor = { id: `${b.id}-expert`, role: 'reviewer' };
  const [f1, f2, f3]: Actor[] = ['finance1', 'finance2', 'finance3'].map((f) => ({ id: `${b.id}-${f}`, role: 'finance' }));
  const finance = [f1, f2, f3] as [Actor, Actor, Actor];
  const programmeId = `${b.id}-prog`;
  const projectId = `${b.id}-p1`;

  onProgramme(world, programmeId, 'LaunchProgramme', { programmeId, name: `${b.name}2024年度技术攻关项目`, bureau: b.name, bureauCode: b.code, quota: 5, focusIndustries: [], policy: taizhouPolicy }, officer, '2024-01-05');
  onProgramme(world, programmeId, 'OpenSolicitation', { opensOn: '2024-01-10', closesOn: '2024-02-28' }, officer, '2024-01-06');
  const state = world.state<ProgrammeState>(`programme-${programmeId}`);
  const snapshot = state === undefined ? null : programmeSnapshot(state);
  if (snapshot === null) throw new Error(`programme ${programmeId} was not launched`);
  onProject(world, projectId, 'SubmitProject', {
    projectId,
    programme: snapshot,
    title: '高效潜水泵水力模型',
    leadEnterprise: LEAD,
    partners: [],
    industry: '泵业',
    county: '椒江区',
    ...(b.countyCode === undefined ? {} : { countyCode: b.countyCode }),
    principalInvestigator: { name: '王伟' },
    keyTechnologies: ['水力模型'],
    requestedFunding: 300_000_000,
  }, officer, '2024-01-15');
  onProject(world, projectId, 'RecordFormalReview', { passed: true, reasons: [] }, officer2, '2024-01-18');
  onProject(world, projectId, 'AssignExpertReviewer', { reviewerId: reviewer.id, name: '陈', employerCreditCode: '12331000470000123J' }, officer, '2024-01-20');
  onProject(world, projectId, 'ScoreProject', { score: 88 }, reviewer, '2024-01-25');
  onProject(world, projectId, 'StartPublicity', { startsOn: '2024-02-01' }, officer, '2024-01-31');
  onProgramme(world, programmeId, 'ReserveSelectionSlot', { projectId }, approver, '2024-02-20');
  onProject(world, projectId, 'ApproveProject', { selection: { programmeId, slot: 1, quota: 5 } }, approver, '2024-02-20');
  onProject(world, projectId, 'SignTaskBook', {
    startOn: '2024-03-01',
    approvedFunding: 200_000_000,
    milestones: [{ milestoneId: 'm1', title: '水力模型验证', dueOn: '2024-05-01' }],
    indicators: [{ name: '效率', target: '≥ 82%' }],
  }, officer, '2024-02-25');

  const r1: EntitlementRef = { rule: 'R1', projectId };
  onProject(world, projectId, 'AwardSelectionGrant', { disbursementId: `r1-${projectId}` }, f1 as Actor, '2024-03-02');
  payout(world, `r1-${projectId}`, r1, LEAD, finance, `ICBC-2024-${String(n * 10 + 1).padStart(4, '0')}`, '2024-03-06');

  const r2Stream = r2Ledger.streamName(b.code, LEAD.creditCode, 2024);
  onR2Ledger(world, r2Stream, 'AssessR2Payment', {
    bureauCode: b.code, creditCode: LEAD.creditCode, year: 2024, policy: R2_POLICY,
    paymentId: 'pay1', projectId, contractId: 'c1', amount: 150_000_000, paidOn: '2024-04-08', bankReference: `ABC-2024-${String(n * 10 + 2).padStart(4, '0')}`,
  }, f1 as Actor, '2024-04-09');
  payout(world, `r2-${b.id}`, { rule: 'R2', ...bureauOfRef(b.code), creditCode: LEAD.creditCode, year: 2024, projectId, paymentId: 'pay1' }, LEAD, finance, `ICBC-2024-${String(n * 10 + 3).padStart(4, '0')}`, '2024-04-20');

  const r3Stream = r3Ledger.streamName(b.code, INSTITUTION.creditCode, 2024);
  const { r3RateBps, r3AnnualCap } = taizhouPolicy;
  onR3Ledger(world, r3Stream, 'RecordR3Transaction', {
    bureauCode: b.code, creditCode: INSTITUTION.creditCode, year: 2024, policy: { r3RateBps, r3AnnualCap },
    transactionId: 't1', amount: 100_000_000, occurredOn: '2024-03-15', inCity: true, description: '技术交易服务',
  }, officer, '2024-03-16');
  payout(world, `r3-${b.id}`, { rule: 'R3', ...bureauOfRef(b.code), creditCode: INSTITUTION.creditCode, year: 2024, transactionId: 't1' }, INSTITUTION, finance, `ICBC-2024-${String(n * 10 + 4).padStart(4, '0')}`, '2024-04-25');

  const r2 = world.state<R2LedgerState>(r2Stream)?.entitlement ?? 0;
  const r3 = world.state<R3LedgerState>(r3Stream)?.entitlement ?? 0;
  return { programmeId, projectId, r2Ledger: r2Stream, r3Ledger: r3Stream, paid: taizhouPolicy.r1GrantAmount + r2 + r3 };
}

/** Requested, approved by a second person, the bank reference claimed and the payment recorded by a third. */
function payout(world: World, disbursementId: string, entitlement: EntitlementRef, payee: { name: string; creditCode: string }, [requester, approver, recorder]: [Actor, Actor, Actor], reference: string, on: string): void {
  onPayout(world, disbursementId, entitlement, 'RequestDisbursement', { disbursementId, entitlement, payee }, requester, on);
  onDisbursement(world, disbursementId, 'ApproveDisbursement', {}, approver, on);
  onBankReference(world, reference, 'ClaimBankReference', { bankReference: reference, claimant: { kind: 'disbursement', id: disbursementId } }, recorder, on);
  onPayout(world, disbursementId, entitlement, 'RecordDisbursementPayment', { bankReference: reference, paidOn: on }, recorder, on);
}

/**
 * The province (330000), two cities — Taizhou (331000, the legacy bureau: its ledgers keep their
 * old stream names) and Hangzhou (330100) — and a county under each (Jiaojiang 331002,
 * Shangcheng 330102); Taizhou's project names Jiaojiang as its applicant's county.
 */
export const storyBureaus: readonly BureauPlan[] = [
  { id: 'zj', code: '330000', name: '浙江省科学技术厅' },
  { id: 'tz', code: '331000', name: '台州市科学技术局', countyCode: '331002' },
  { id: 'jj', code: '331002', name: '椒江区科学技术局' },
  { id: 'hz', code: '330100', name: '杭州市科学技术局' },
  { id: 'sc', code: '330102', name: '上城区科学技术局' },
];

/**
 * The registry of `bureaus` and each one's story (see {@link bureauStory}), as appends in the
 * order the lifecycle API would have written them; `results` by bureau id. Bureaus the world's
 * registry already holds (preloaded from a store a province was loaded into) are not registered again.
 */
export function bureauStories(world: World, bureaus: readonly BureauPlan[] = storyBureaus): { appends: GeneratedAppend[]; results: Record<string, BureauStoryResult> } {
  const registry = new BureauDirectory(world.state<BureauRegistryState>(BUREAU_REGISTRY_STREAM));
  registerBureaus(world, bureaus.filter((b) => !registry.isRegistered(b.code)));
  const appends = world.flush();
  const results: Record<string, BureauStoryResult> = {};
  for (const [n, b] of bureaus.entries()) {
    results[b.id] = bureauStory(world, b, n + 1);
    appends.push(...world.flush());
  }
  return { appends, results };
}
